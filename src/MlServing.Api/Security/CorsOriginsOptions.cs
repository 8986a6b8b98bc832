namespace MlServing.Api.Security;

/// <summary>Configuration section <c>MlServing:Cors</c>: the browser origins allowed to call the APIs; none by default.</summary>
public sealed class CorsOriginsOptions
{
    public const string SectionName = "MlServing:Cors";

    /// <summary>Origins such as <c>https://app.example.com</c>, or <c>*</c> for any.</summary>
    public IList<string> Origins { get; } = [];
}
