namespace MlServing.Api.Observability;

/// <summary>
/// Endpoint metadata of an inference route: its requests are counted in <c>mlserving_inference_requests_total</c> with
/// this protocol, from before authentication on, so refused requests (401, 403, 429) are counted too.
/// </summary>
public sealed record InferenceRouteMetadata(RequestProtocol Protocol);
