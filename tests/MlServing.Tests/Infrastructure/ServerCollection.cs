namespace MlServing.Tests.Infrastructure;

/// <summary>Tests that host the server run one after another: 2 cores, and ONNX Runtime sessions are CPU-heavy.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection
{
    public const string Name = "Server";
}
