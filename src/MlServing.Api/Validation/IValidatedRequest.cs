using MlServing.Api.Errors;
using MlServing.Inference.Observability;
using MlServing.Inference.Repository;

namespace MlServing.Api.Validation;

/// <summary>A request bound from its body by the endpoint, then checked by its FluentValidation validator.</summary>
public interface IValidatedRequest
{
    RequestProtocol Protocol { get; }

    /// <summary>Set when the body could not be read or parsed (413, 415, malformed JSON).</summary>
    ApiError? BindingError { get; }

    ModelLookup Lookup { get; }
}
