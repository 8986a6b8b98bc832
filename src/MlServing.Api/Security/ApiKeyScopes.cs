namespace MlServing.Api.Security;

/// <summary>What a key may do: <c>predict</c> (inference, model metadata) and <c>admin</c> (the model repository).</summary>
[Flags]
public enum ApiKeyScopes
{
    None = 0,
    Predict = 1,
    Admin = 2,
}
