using FluentValidation;
using MlServing.Inference.Errors;

namespace MlServing.Api.Validation;

/// <summary>Runs a request envelope's FluentValidation rules; failures become one 400 keyed by field.</summary>
internal static class EnvelopeValidation
{
    public static InferenceError? Check<T>(IValidator<T> validator, T request)
    {
        var result = validator.Validate(request);
        if (result.IsValid)
        {
            return null;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var failure in result.Errors)
        {
            errors[failure.PropertyName] = errors.TryGetValue(failure.PropertyName, out var existing)
                ? [.. existing, failure.ErrorMessage]
                : [failure.ErrorMessage];
        }

        return InferenceError.Invalid(errors);
    }
}
