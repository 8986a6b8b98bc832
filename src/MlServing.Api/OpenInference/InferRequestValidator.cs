using FluentValidation;

namespace MlServing.Api.OpenInference;

/// <summary>The envelope of an infer request; datatypes, shapes and names are checked against the signature by the engine.</summary>
public sealed class InferRequestValidator : AbstractValidator<InferRequest>
{
    public InferRequestValidator()
    {
        RuleFor(r => r.InputCount).GreaterThan(0).WithMessage("'inputs' must list at least one tensor").OverridePropertyName("inputs");
    }
}
