using FluentValidation;
using FluentValidation.Results;
using MlServing.Api.Errors;

namespace MlServing.Api.Validation;

/// <summary>
/// Endpoint-filter factory: at startup it finds the <see cref="IValidatedRequest"/> parameter and resolves its
/// validator once; per request it only runs the check and maps failures to 400/404/413/415/503.
/// </summary>
public static class ValidationFilter
{
    public static TBuilder WithRequestValidation<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilterFactory(Create);
        return builder;
    }

    private static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var parameters = context.MethodInfo.GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            if (!typeof(IValidatedRequest).IsAssignableFrom(type))
            {
                continue;
            }

            var validator = (IValidator)context.ApplicationServices.GetRequiredService(typeof(IValidator<>).MakeGenericType(type));
            var index = i;
            return invocation => ValidateAsync(invocation, index, validator, next);
        }

        return next;
    }

    private static ValueTask<object?> ValidateAsync(EndpointFilterInvocationContext invocation, int index, IValidator validator, EndpointFilterDelegate next)
    {
        var request = invocation.GetArgument<IValidatedRequest>(index);
        if (request.BindingError is { } bindingError)
        {
            return ValueTask.FromResult<object?>(new ApiErrorResult(bindingError, request.Protocol));
        }

        var result = validator.Validate(new ValidationContext<IValidatedRequest>(request));
        return result.IsValid
            ? next(invocation)
            : ValueTask.FromResult<object?>(new ApiErrorResult(ToError(result.Errors), request.Protocol));
    }

    internal static ApiError ToError(List<ValidationFailure> failures)
    {
        foreach (var failure in failures)
        {
            switch (failure.ErrorCode)
            {
                case ValidationErrorCodes.NotFound: return ApiError.NotFound(failure.ErrorMessage);
                case ValidationErrorCodes.NotReady: return ApiError.Unavailable(failure.ErrorMessage);
                case ValidationErrorCodes.TooLarge: return ApiError.TooLarge(failure.PropertyName, failure.ErrorMessage);
            }
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var failure in failures)
        {
            errors[failure.PropertyName] = errors.TryGetValue(failure.PropertyName, out var existing)
                ? [.. existing, failure.ErrorMessage]
                : [failure.ErrorMessage];
        }

        return ApiError.Invalid(errors);
    }

    /// <summary>Registers the 400 response the filter can produce, for OpenAPI.</summary>
    internal static void AddValidationMetadata(EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
}
