using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MlServing.Grpc.Inference;

namespace MlServing.Tests.Infrastructure;

/// <summary>
/// A gRPC client of <c>inference.GRPCInferenceService</c> over h2c (HTTP/2 without TLS), built on the service's method
/// names and the project's own messages, as any client compiled from grpc_predict_v2.proto would call it.
/// </summary>
public sealed class OipGrpcClient : IDisposable
{
    private const string Service = "inference.GRPCInferenceService";

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;

    public OipGrpcClient(int port)
    {
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions { MaxReceiveMessageSize = null });
        _invoker = _channel.CreateCallInvoker();
    }

    public GrpcChannel Channel => _channel;

    public static readonly Method<ModelInferRequest, ModelInferResponse> ModelInferMethod = Unary<ModelInferRequest, ModelInferResponse>("ModelInfer", ModelInferResponse.Parser);

    /// <summary>ModelInfer with bytes that may not be a valid message at all.</summary>
    public static readonly Method<byte[], byte[]> ModelInferBytesMethod = new(MethodType.Unary, Service, "ModelInfer", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

    public AsyncUnaryCall<ModelInferResponse> ModelInferAsync(ModelInferRequest request, CallOptions options = default) =>
        _invoker.AsyncUnaryCall(ModelInferMethod, null, Bounded(options), request);

    public Task<ServerLiveResponse> ServerLiveAsync() => Call("ServerLive", new ServerLiveRequest(), ServerLiveResponse.Parser);

    public Task<ServerReadyResponse> ServerReadyAsync() => Call("ServerReady", new ServerReadyRequest(), ServerReadyResponse.Parser);

    public Task<ModelReadyResponse> ModelReadyAsync(string name, string version = "") => Call("ModelReady", new ModelReadyRequest { Name = name, Version = version }, ModelReadyResponse.Parser);

    public Task<ServerMetadataResponse> ServerMetadataAsync() => Call("ServerMetadata", new ServerMetadataRequest(), ServerMetadataResponse.Parser);

    public Task<ModelMetadataResponse> ModelMetadataAsync(string name, string version = "") => Call("ModelMetadata", new ModelMetadataRequest { Name = name, Version = version }, ModelMetadataResponse.Parser);

    public Task<byte[]> ModelInferBytesAsync(byte[] message) => _invoker.AsyncUnaryCall(ModelInferBytesMethod, null, Bounded(default), message).ResponseAsync;

    public Task<HealthCheckResponse> HealthCheckAsync(string service) =>
        new global::Grpc.Health.V1.Health.HealthClient(_channel).CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync;

    /// <summary>The status a call ended with (OK when it succeeded).</summary>
    public static async Task<RpcException> FailureAsync(Task call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.NotEqual(StatusCode.Unknown, ex.StatusCode);
        return ex;
    }

    private Task<TResponse> Call<TRequest, TResponse>(string name, TRequest request, MessageParser<TResponse> parser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        _invoker.AsyncUnaryCall(Unary<TRequest, TResponse>(name, parser), null, Bounded(default), request).ResponseAsync;

    /// <summary>Every call gets a deadline, so a bug fails the test instead of hanging it.</summary>
    private static CallOptions Bounded(CallOptions options) => options.Deadline is null ? options.WithDeadline(DateTime.UtcNow.AddSeconds(60)) : options;

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name, MessageParser<TResponse> parser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(MethodType.Unary, Service, name, Marshallers.Create((TRequest m) => m.ToByteArray(), _ => throw new NotSupportedException()), Marshallers.Create((TResponse m) => m.ToByteArray(), parser.ParseFrom));

    public void Dispose() => _channel.Dispose();
}
