using FluentValidation;
using FluentValidation.Results;
using Microsoft.Extensions.Options;
using MlServing.Api.Requests;
using MlServing.Api.Validation;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>Checks an infer request against the model's signature: names, datatypes, shapes, requested outputs, size.</summary>
public sealed class InferRequestValidator : AbstractValidator<InferRequest>
{
    public InferRequestValidator(IOptions<RequestLimitsOptions> limits)
    {
        var maxRows = limits.Value.MaxRowsPerRequest;
        ClassLevelCascadeMode = CascadeMode.Stop;
        this.AddModelLookupRules("model_name");

        RuleFor(r => r.Inputs).NotEmpty().WithMessage("'inputs' must list at least one tensor").OverridePropertyName("inputs");
        RuleFor(r => r).Custom((request, context) =>
        {
            var signature = request.Lookup.Model!.Signature;
            var given = new bool[signature.Inputs.Length];
            (long Rows, int Index) batch = (-1, -1);
            foreach (var input in request.Inputs)
            {
                var field = $"inputs[{input.Index}]";
                var index = signature.IndexOfInput(input.Name);
                if (index < 0)
                {
                    context.AddFailure(field + ".name", $"'{input.Name}' is not an input of the model (inputs: {string.Join(", ", signature.InputNames)})");
                    continue;
                }

                if (given[index])
                {
                    context.AddFailure(field + ".name", $"input '{input.Name}' is given twice");
                    continue;
                }

                given[index] = true;
                var spec = signature.Inputs[index];
                if (!TensorDataTypes.TryParse(input.Datatype, out var declared))
                {
                    context.AddFailure(field + ".datatype", $"'{input.Datatype}' is not a datatype; use one of {string.Join(", ", TensorDataTypes.AllProtocolNames)}");
                }
                else if (!declared.IsConvertibleTo(spec.DataType))
                {
                    context.AddFailure(field + ".datatype", $"input '{spec.Name}' is {spec.DataType.ToProtocolName()}; {declared.ToProtocolName()} data cannot be converted to it");
                }

                CheckShape(context, field + ".shape", input.Shape, spec, maxRows);

                // Dim 0 of a batchable model is one batch shared by every input (DESIGN §2): a mismatch would be
                // broadcast by ONNX Runtime or mis-split by the batcher instead of being rejected.
                if (signature.IsBatchable && input.Shape.Length == spec.Rank)
                {
                    if (batch.Index < 0)
                    {
                        batch = (input.Shape[0], input.Index);
                    }
                    else if (input.Shape[0] != batch.Rows)
                    {
                        context.AddFailure(field + ".shape", $"dimension 0 (the batch) is {input.Shape[0]}, but inputs[{batch.Index}] has {batch.Rows}; every input needs the same batch size");
                    }
                }
            }

            if (MissingInputs.Describe(signature.InputNames, given) is { } missing)
            {
                context.AddFailure("inputs", missing);
            }

            if (request.Outputs is { } outputs)
            {
                for (var i = 0; i < outputs.Count; i++)
                {
                    if (signature.IndexOfOutput(outputs[i]) < 0)
                    {
                        context.AddFailure($"outputs[{i}].name", $"'{outputs[i]}' is not an output of the model (outputs: {string.Join(", ", signature.OutputNames)})");
                    }
                }
            }
        });
    }

    private static void CheckShape(ValidationContext<InferRequest> context, string field, long[] shape, TensorSpec spec, int maxRows)
    {
        if (shape.Length != spec.Rank)
        {
            context.AddFailure(field, $"input '{spec.Name}' has rank {spec.Rank} (shape [{Dims(spec.Shape)}]), got shape [{string.Join(',', shape)}]");
            return;
        }

        for (var d = 0; d < shape.Length; d++)
        {
            if (spec.Shape[d] >= 0 && spec.Shape[d] != shape[d])
            {
                context.AddFailure(field, $"dimension {d} of input '{spec.Name}' must be {spec.Shape[d]} (shape [{Dims(spec.Shape)}]), got {shape[d]}");
                return;
            }

            if (shape[d] == 0)
            {
                context.AddFailure(field, $"dimension {d} is 0; empty tensors are not accepted");
                return;
            }
        }

        if (PooledTensor.CountElements(shape) < 0)
        {
            context.AddFailure(field, "the shape describes more elements than any request can carry");
            return;
        }

        if (spec.HasDynamicBatchDim && shape[0] > maxRows)
        {
            context.AddFailure(new ValidationFailure(field, $"{shape[0]} rows is over the limit of {maxRows} per request (MlServing:Limits:MaxRowsPerRequest)")
            {
                ErrorCode = ValidationErrorCodes.TooLarge,
            });
        }
    }

    private static string Dims(long[] shape) =>
        string.Join(',', shape.Select(d => d < 0 ? "-1" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
