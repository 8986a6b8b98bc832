using FluentValidation;

namespace MlServing.Api.Predict;

/// <summary>The envelope of a <c>/predict</c> body; rows, tensors and the signature are checked by the decoder and the engine.</summary>
public sealed class PredictRequestValidator : AbstractValidator<PredictRequest>
{
    public PredictRequestValidator()
    {
        ClassLevelCascadeMode = CascadeMode.Stop;
        RuleFor(r => r)
            .Must(r => r.HasInstances != r.HasInputs)
            .WithMessage("send exactly one of 'instances' (rows) or 'inputs' (named tensors)")
            .OverridePropertyName("instances");
        RuleFor(r => r.InstanceCount)
            .GreaterThan(0).When(r => r.HasInstances && r.DecodeError is null)
            .WithMessage("'instances' is empty; send at least one row")
            .OverridePropertyName("instances");
    }
}
