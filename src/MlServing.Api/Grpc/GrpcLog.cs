namespace MlServing.Api.Grpc;

/// <summary>The gRPC front end's log events (ids 23xx).</summary>
internal static partial class GrpcLog
{
    [LoggerMessage(EventId = 2301, EventName = "GrpcUnhandledException", Level = LogLevel.Error, Message = "Unhandled exception in gRPC {Method}")]
    public static partial void Unhandled(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 2302, EventName = "GrpcListening", Level = LogLevel.Information, Message = "gRPC (Open Inference Protocol, h2c) on {Address}")]
    public static partial void Listening(ILogger logger, string address);
}
