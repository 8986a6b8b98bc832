using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using MlServing.Api.Errors;
using MlServing.Api.Feedback;
using MlServing.Api.Health;
using MlServing.Api.Observability;
using MlServing.Api.OpenApi;
using MlServing.Api.Requests;
using MlServing.Api.Security;
using MlServing.Api.Validation;
using MlServing.Inference.Errors;
using MlServing.Inference.Repository;
using MlServing.Inference.Serving;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>The Open Inference Protocol v2 REST API (KServe / Triton), with the model repository extension.</summary>
public static class OpenInferenceApi
{
    /// <summary>The platform every model reports (ONNX models in ONNX Runtime).</summary>
    internal const string Platform = "onnxruntime_onnx";

    /// <summary>The binary tensor extension's header: the byte length of the JSON part of a body with raw tensor data after it.</summary>
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    /// <summary>The protocol extensions the server supports, as server metadata lists them (REST and gRPC).</summary>
    internal static readonly string[] Extensions = ["model_repository", "binary_tensor_data"];

    public static IEndpointRouteBuilder MapOpenInferenceApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var http = app.ServiceProvider.GetRequiredService<HttpInference>();
        var validator = app.ServiceProvider.GetRequiredService<IValidator<InferRequest>>();
        var v2 = app.MapGroup("/v2").WithTags("Open Inference Protocol v2").WithMetadata(new ProtocolMetadata(ApiProtocol.V2));

        v2.MapGet(string.Empty, GetServerMetadata).WithName("ServerMetadata").WithSummary("Server name, version and extensions.").RequireAnyKey();
        v2.MapGet("/health/live", () => TypedResults.Ok(new LiveResponse(true))).WithName("ServerLive").WithSummary("Process liveness.").OpenWithoutKey();
        v2.MapGet("/health/ready", GetServerReady).WithName("ServerReady").WithSummary("Readiness: every model loaded and warmed up.").OpenWithoutKey();

        // With keys configured: the predict scope, and the model of {name} allowed for the key.
        var models = v2.MapGroup("/models").RequirePredictKey();
        models.MapGet("/{name}", GetModelMetadata).WithName("ModelMetadata").WithSummary("Inputs and outputs of the newest ready version.");
        models.MapGet("/{name}/versions/{version}", GetModelMetadata).WithName("ModelVersionMetadata").WithSummary("Inputs and outputs of one version.");
        models.MapGet("/{name}/ready", GetModelReady).WithName("ModelReady").WithSummary("Whether the model (newest version) serves.");
        models.MapGet("/{name}/versions/{version}/ready", GetModelReady).WithName("ModelVersionReady").WithSummary("Whether the version serves.");

        Func<HttpContext, Task> infer = context => InferAsync(context, http, validator);
        ConfigureInfer(models.MapPost("/{name}/infer", infer).WithName("ModelInfer"));
        ConfigureInfer(models.MapPost("/{name}/versions/{version}/infer", infer).WithName("ModelVersionInfer"));

        // Ground truth is sent by the same clients as the predictions: the predict scope, like infer.
        Func<HttpContext, Task> feedback = context => FeedbackApi.JoinAsync(context, http);
        models.MapPost("/{name}/feedback", feedback).WithName("ModelFeedback")
            .WithSummary("Ground truth for an answered request (by its id): joined to the stored prediction for accuracy / MAE.")
            .WithMetadata(new RequestBodyDocumentation(typeof(FeedbackRequestDocument)))
            .Produces<FeedbackResponse>(StatusCodes.Status202Accepted)
            .Add(endpoint => ErrorResponse.AddMetadata(endpoint, ApiProtocol.V2, 400, 404, 413, 415, 503));

        // With keys configured: the admin scope (and the model of {name} allowed for the key).
        var repository = v2.MapGroup("/repository").WithTags("Model repository").RequireAdminKey();
        repository.MapPost("/index", GetRepositoryIndexAsync).WithName("RepositoryIndex").WithSummary("Every model and version with its state.");
        repository.MapPost("/models/{name}/load", LoadModelAsync).WithName("RepositoryLoad").WithSummary("(Re)load a model folder; the old versions serve until the new ones are ready.");
        repository.MapPost("/models/{name}/unload", UnloadModelAsync).WithName("RepositoryUnload").WithSummary("Stop serving a model after its in-flight requests finish.");
        repository.MapGet("/models/{name}/traffic", GetTraffic).WithName("TrafficGet").WithSummary("The traffic policy in force: split weights, sticky header, shadow copies.");
        repository.MapPut("/models/{name}/traffic", PutTrafficAsync).WithName("TrafficPut")
            .WithSummary("Replace the traffic policy until config.json changes or the model is loaded again.")
            .WithMetadata(new RequestBodyDocumentation(typeof(TrafficConfig)));
        repository.MapDelete("/models/{name}/traffic", DeleteTrafficAsync).WithName("TrafficDelete").WithSummary("Return to config.json's traffic policy.");
        return app;
    }

    private static void ConfigureInfer(RouteHandlerBuilder builder) =>
        builder.WithSummary("Run inference (flat or nested data, all OIP datatypes, requested outputs subset).")
            .WithMetadata(new InferenceRouteMetadata(RequestProtocol.V2))
            .WithMetadata(new RequestBodyDocumentation(typeof(InferRequestDocument)))
            .Produces<InferResponseDocument>(StatusCodes.Status200OK)
            .Add(endpoint => ErrorResponse.AddMetadata(endpoint, ApiProtocol.V2, 400, 404, 413, 415, 429, 503, 504));

    internal static async Task InferAsync(HttpContext context, HttpInference http, IValidator<InferRequest> validator)
    {
        var telemetry = http.Start(context, RequestProtocol.V2);
        using var request = await InferRequest.ReadAsync(context, http.BodyLimit).ConfigureAwait(false);
        var error = request.BodyError ?? RequestIds.Adopt(context, request.Id);
        ModelLease? lease = null;
        if (error is null)
        {
            (lease, error) = http.Resolve(context, context.Request.RouteValues["name"] as string, context.Request.RouteValues["version"] as string);
        }

        using (lease)
        {
            HttpInference.Answering(context, telemetry, lease);
            error ??= EnvelopeValidation.Check(validator, request) ?? request.DataError;
            TimeSpan? timeout = null;
            error ??= RequestDeadline.Resolve(context.Request, request.TimeoutMicroseconds, out timeout);
            if (error is not null)
            {
                await HttpInference.WriteErrorAsync(context, error).ConfigureAwait(false);
                return;
            }

            using var call = request.TakeCall(HttpInference.BypassCache(context.Request), timeout, RequestIds.Of(context));
            using var response = await http.InferAsync(context, lease!, call).ConfigureAwait(false);
            if (response.Error is { } failure)
            {
                await HttpInference.WriteErrorAsync(context, failure).ConfigureAwait(false);
                return;
            }

            if (request.AnyBinaryOutput(response.Outputs.Length))
            {
                await WriteBinaryAsync(context, response, request).ConfigureAwait(false);
                return;
            }

            await HttpInference.WriteJsonAsync(context, (response, request.Id), static (writer, state) =>
                InferResponseWriter.Write(writer, state.response.Model!, state.response.Outputs, state.Id)).ConfigureAwait(false);
        }
    }

    /// <summary>The binary tensor extension's response: the JSON header, then the raw data of the binary outputs.</summary>
    private static async Task WriteBinaryAsync(HttpContext context, InferenceResponse response, InferRequest request)
    {
        var header = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(header))
        {
            InferResponseWriter.Write(writer, response.Model!, response.Outputs, request.Id, request);
        }

        var http = context.Response;
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = "application/octet-stream";
        http.Headers[HeaderLengthHeader] = header.WrittenCount.ToString(CultureInfo.InvariantCulture);
        http.ContentLength = header.WrittenCount + InferResponseWriter.BinaryDataLength(response.Outputs, request);
        http.BodyWriter.Write(header.WrittenSpan);
        InferResponseWriter.WriteBinaryData(http.BodyWriter, response.Outputs, request);
        await http.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static Ok<ServerMetadata> GetServerMetadata() =>
        TypedResults.Ok(new ServerMetadata("mlserving", ServerVersion, Extensions));

    private static Results<Ok<ReadyResponse>, JsonHttpResult<ReadyResponse>> GetServerReady(ReadinessProbe readiness) =>
        readiness.Evaluate().Ready
            ? TypedResults.Ok(new ReadyResponse(true))
            : TypedResults.Json(new ReadyResponse(false), statusCode: StatusCodes.Status503ServiceUnavailable);

    private static Results<Ok<ModelMetadataResponse>, ErrorResponse> GetModelMetadata(string name, string? version, ModelRepository repository)
    {
        var lookup = repository.Find(name, version);
        if (lookup.Version is not { } model)
        {
            return new ErrorResponse(lookup.Error!);
        }

        return TypedResults.Ok(new ModelMetadataResponse(
            model.Name, ServedVersions(repository, model, version), Platform, Describe(model.Signature.Inputs), Describe(model.Signature.Outputs)));
    }

    /// <summary>The versions model metadata lists: every ready version of the model, or only the one a request named.</summary>
    internal static string[] ServedVersions(ModelRepository repository, ModelVersion model, string? version)
    {
        if (version is not null || !repository.TryGetEntry(model.Name, out var entry))
        {
            return [model.VersionText];
        }

        return [.. entry.Versions.Where(v => v.Loaded is not null).Select(v => v.Loaded!.VersionText)];
    }

    private static Results<Ok<ModelReadyResponse>, ErrorResponse> GetModelReady(string name, string? version, ModelRepository repository)
    {
        var lookup = repository.Find(name, version);
        return lookup.Version is not null ? TypedResults.Ok(new ModelReadyResponse(name, true)) : new ErrorResponse(lookup.Error!);
    }

    private static async Task<Ok<RepositoryIndexEntry[]>> GetRepositoryIndexAsync(HttpContext context, ModelRepository repository)
    {
        var readyOnly = false;
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                var body = await JsonSerializer.DeserializeAsync(context.Request.Body, ApiJsonContext.Default.RepositoryIndexRequest, context.RequestAborted).ConfigureAwait(false);
                readyOnly = body?.Ready == true;
            }
            catch (JsonException)
            {
                // The body is optional and only filters the listing; a malformed one lists everything.
            }
        }

        var rows = new List<RepositoryIndexEntry>();
        foreach (var entry in repository.Models)
        {
            if (entry.Versions.Length == 0 && !readyOnly)
            {
                rows.Add(new(entry.Name, null, StateName(entry.State), entry.Reason));
            }

            foreach (var version in entry.Versions)
            {
                if (!readyOnly || version.State == ModelState.Ready)
                {
                    rows.Add(new(entry.Name, version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), StateName(version.State), version.Reason));
                }
            }
        }

        return TypedResults.Ok(rows.ToArray());
    }

    private static async Task<Results<Ok, ErrorResponse>> LoadModelAsync(string name, ModelRepository repository, CancellationToken cancellationToken)
    {
        var entry = await repository.LoadModelAsync(name, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return new ErrorResponse(InferenceError.NotFound($"no model folder '{name}' in the repository"));
        }

        return entry.Problem is { } problem
            ? new ErrorResponse(InferenceError.Of(InferenceErrorKind.InvalidInput, $"failed to load '{name}': {problem}"))
            : TypedResults.Ok();
    }

    private static async Task<Results<Ok, ErrorResponse>> UnloadModelAsync(string name, ModelRepository repository, CancellationToken cancellationToken) =>
        await repository.UnloadModelAsync(name, cancellationToken).ConfigureAwait(false)
            ? TypedResults.Ok()
            : new ErrorResponse(InferenceError.NotFound($"model '{name}' is not loaded"));

    private static Results<Ok<TrafficConfig>, ErrorResponse> GetTraffic(string name, ModelRepository repository) =>
        repository.TryGetEntry(name, out var entry)
            ? TypedResults.Ok(entry.Traffic?.Source ?? new TrafficConfig())
            : new ErrorResponse(InferenceError.NotFound($"model '{name}' is not in the repository"));

    private static async Task<Results<Ok<TrafficConfig>, ErrorResponse>> PutTrafficAsync(string name, HttpContext context, ModelRepository repository, HttpInference http)
    {
        var (body, error) = await RequestBody.ReadAsync(context, http.BodyLimit).ConfigureAwait(false);
        using (body)
        {
            if (body is null)
            {
                return new ErrorResponse(error!);
            }

            TrafficConfig traffic;
            try
            {
                traffic = TrafficConfig.Parse(body.Span);
            }
            catch (JsonException ex)
            {
                return new ErrorResponse(InferenceError.Invalid(ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body", "not a valid traffic policy: " + ex.Message));
            }

            return TrafficResult(await repository.SetTrafficAsync(name, traffic, context.RequestAborted).ConfigureAwait(false));
        }
    }

    private static async Task<Results<Ok<TrafficConfig>, ErrorResponse>> DeleteTrafficAsync(string name, ModelRepository repository, CancellationToken cancellationToken) =>
        TrafficResult(await repository.SetTrafficAsync(name, null, cancellationToken).ConfigureAwait(false));

    private static Results<Ok<TrafficConfig>, ErrorResponse> TrafficResult((ModelEntry? Entry, InferenceError? Error) outcome) =>
        outcome.Entry is { } entry ? TypedResults.Ok(entry.Traffic?.Source ?? new TrafficConfig()) : new ErrorResponse(outcome.Error!);

    private static TensorMetadata[] Describe(TensorSpec[] specs) =>
        Array.ConvertAll(specs, s => new TensorMetadata(s.Name, s.DataType.ToProtocolName(), s.Shape));

    private static string StateName(ModelState state) => state switch
    {
        ModelState.Ready => "READY",
        ModelState.Loading => "LOADING",
        _ => "UNAVAILABLE",
    };

    /// <summary>The build's version, as server metadata reports it.</summary>
    internal static readonly string ServerVersion =
        typeof(OpenInferenceApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
