using FluentValidation;
using MlServing.Inference.Repository;

namespace MlServing.Api.Validation;

internal static class ModelLookupRules
{
    /// <summary>The model and version must exist (404) and be ready (503) before any input rule runs.</summary>
    public static void AddModelLookupRules<T>(this AbstractValidator<T> validator, string field)
        where T : IValidatedRequest
    {
        validator.RuleFor(r => r.Lookup)
            .Must(l => l.Status is not (ModelLookupStatus.ModelNotFound or ModelLookupStatus.VersionNotFound))
            .WithErrorCode(ValidationErrorCodes.NotFound)
            .WithMessage(r => r.Lookup.Message)
            .OverridePropertyName(field);
        validator.RuleFor(r => r.Lookup)
            .Must(l => l.Status != ModelLookupStatus.NotReady)
            .WithErrorCode(ValidationErrorCodes.NotReady)
            .WithMessage(r => r.Lookup.Message)
            .OverridePropertyName(field);
    }
}
