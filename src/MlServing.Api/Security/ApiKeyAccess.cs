using MlServing.Inference.Errors;

namespace MlServing.Api.Security;

/// <summary>The per-model allow-list where the model is only known from the body (<c>/predict</c>).</summary>
public static class ApiKeyAccess
{
    /// <summary>A 403 on <c>model</c> when the request's key may not use <paramref name="model"/>; null when it may or no key is in use.</summary>
    public static InferenceError? CheckModel(HttpContext context, string? model) =>
        model is not null && context.User.Identity is ApiKeyIdentity { Key: var key } && !key.AllowsModel(model)
            ? InferenceError.Field(InferenceErrorKind.Forbidden, "model", ModelNotAllowed(key, model))
            : null;

    internal static string ModelNotAllowed(ApiKey key, string model) => $"the API key '{key.Name}' may not use model '{model}'";
}
