using MlServing.Client;

namespace MlServing.Cli.Scoring;

/// <summary>Where <c>--url</c> scoring sends its batches: the server, its gRPC address (optional), the API key and the transport.</summary>
internal sealed record RemoteSettings(Uri Url, Uri? GrpcUrl, string? ApiKey, MlServingTransport Transport);
