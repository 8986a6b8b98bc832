using Google.Protobuf;
using Grpc.Core;
using MlServing.Grpc.Inference;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace MlServing.Api.Grpc;

/// <summary>
/// The binding of <c>inference.GRPCInferenceService</c> (the shape Grpc.Tools generates, with our own marshallers): a
/// message that does not parse ends the call with INVALID_ARGUMENT, where the generated marshallers let the parse error
/// surface as UNKNOWN. Method names come from the proto's descriptor.
/// </summary>
[BindServiceMethod(typeof(GrpcInferenceServiceBase), nameof(BindService))]
public abstract class GrpcInferenceServiceBase
{
    /// <summary>The proto's service descriptor (package <c>inference</c>).</summary>
    public static readonly ServiceDescriptor Descriptor = ModelInferRequest.Descriptor.File.FindTypeByName<ServiceDescriptor>("GRPCInferenceService");

    public abstract Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context);

    public abstract Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context);

    public abstract Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context);

    public abstract Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context);

    public abstract Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context);

    public abstract Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context);

    /// <summary>Called by Grpc.AspNetCore; the handlers are found by method name on the service type, the delegates here are not used.</summary>
    public static void BindService(ServiceBinderBase binder, GrpcInferenceServiceBase? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(Unary(nameof(ServerLive), ServerLiveRequest.Parser, ServerLiveResponse.Parser), (UnaryServerMethod<ServerLiveRequest, ServerLiveResponse>?)null);
        binder.AddMethod(Unary(nameof(ServerReady), ServerReadyRequest.Parser, ServerReadyResponse.Parser), (UnaryServerMethod<ServerReadyRequest, ServerReadyResponse>?)null);
        binder.AddMethod(Unary(nameof(ModelReady), ModelReadyRequest.Parser, ModelReadyResponse.Parser), (UnaryServerMethod<ModelReadyRequest, ModelReadyResponse>?)null);
        binder.AddMethod(Unary(nameof(ServerMetadata), ServerMetadataRequest.Parser, ServerMetadataResponse.Parser), (UnaryServerMethod<ServerMetadataRequest, ServerMetadataResponse>?)null);
        binder.AddMethod(Unary(nameof(ModelMetadata), ModelMetadataRequest.Parser, ModelMetadataResponse.Parser), (UnaryServerMethod<ModelMetadataRequest, ModelMetadataResponse>?)null);
        binder.AddMethod(Unary(nameof(ModelInfer), ModelInferRequest.Parser, ModelInferResponse.Parser), (UnaryServerMethod<ModelInferRequest, ModelInferResponse>?)null);
    }

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(MethodType.Unary, Descriptor.FullName, Descriptor.FindMethodByName(name).Name, Marshaller(requestParser), Marshaller(responseParser));

    private static Marshaller<T> Marshaller<T>(MessageParser<T> parser)
        where T : class, IMessage<T> =>
        Marshallers.Create(
            static (T message, SerializationContext context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => Parse(context, parser));

    private static T Parse<T>(DeserializationContext context, MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(context.PayloadAsReadOnlySequence());
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the message is not a valid {typeof(T).Name}: {ex.Message}"));
        }
    }
}
