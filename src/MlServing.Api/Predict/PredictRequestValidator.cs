using FluentValidation;
using Microsoft.Extensions.Options;
using MlServing.Api.Requests;
using MlServing.Api.Validation;

namespace MlServing.Api.Predict;

/// <summary>Structural rules for <c>/predict</c>; per-element rules (width, type, NaN) run inside the decoder.</summary>
public sealed class PredictRequestValidator : AbstractValidator<PredictRequest>
{
    public PredictRequestValidator(IOptions<RequestLimitsOptions> limits)
    {
        var maxRows = limits.Value.MaxRowsPerRequest;
        ClassLevelCascadeMode = CascadeMode.Stop;
        this.AddModelLookupRules("model");

        RuleFor(r => r)
            .Must(r => (r.Instances is null) != (r.Inputs is null))
            .WithMessage("send exactly one of 'instances' (rows) or 'inputs' (named tensors)")
            .OverridePropertyName("instances");
        RuleFor(r => r.InstanceCount)
            .GreaterThan(0).When(r => r.Instances is not null)
            .WithMessage("'instances' is empty; send at least one row")
            .OverridePropertyName("instances");
        RuleFor(r => r.InstanceCount)
            .LessThanOrEqualTo(maxRows)
            .WithErrorCode(ValidationErrorCodes.TooLarge)
            .WithMessage(r => $"{r.InstanceCount} rows is over the limit of {maxRows} per request (MlServing:Limits:MaxRowsPerRequest)")
            .OverridePropertyName("instances");
        RuleFor(r => r.Inputs)
            .Must((r, inputs) => HaveKnownInputs(r, out _))
            .When(r => r.Inputs is not null)
            .WithMessage((r, _) => { HaveKnownInputs(r, out var message); return message; })
            .OverridePropertyName("inputs");
    }

    private static bool HaveKnownInputs(PredictRequest request, out string message)
    {
        var signature = request.Lookup.Model!.Signature;
        var seen = new bool[signature.Inputs.Length];
        foreach (var (name, _) in request.Inputs!)
        {
            var index = signature.IndexOfInput(name);
            if (index < 0)
            {
                message = $"'{name}' is not an input of the model (inputs: {string.Join(", ", signature.InputNames)})";
                return false;
            }

            if (seen[index])
            {
                message = $"input '{name}' is given twice";
                return false;
            }

            seen[index] = true;
        }

        message = MissingInputs.Describe(signature.InputNames, seen) ?? string.Empty;
        return message.Length == 0;
    }
}
