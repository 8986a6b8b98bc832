namespace MlServing.Api.OpenApi;

/// <summary>
/// Documents a JSON request body that the endpoint parses itself. Unlike <c>Accepts&lt;T&gt;</c> it does not make
/// routing reject other content types with a bodyless 415: the endpoint answers that in the protocol's format.
/// </summary>
public sealed record RequestBodyDocumentation(Type Type);
