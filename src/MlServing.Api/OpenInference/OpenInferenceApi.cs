using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MlServing.Api.Errors;
using MlServing.Api.Health;
using MlServing.Api.Hosting;
using MlServing.Api.Observability;
using MlServing.Api.OpenApi;
using MlServing.Api.Requests;
using MlServing.Api.Validation;
using MlServing.Inference.Observability;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Api.OpenInference;

/// <summary>The Open Inference Protocol v2 REST API (KServe / Triton), with the model repository extension.</summary>
public static class OpenInferenceApi
{
    private const string Platform = "onnxruntime_onnx";

    public static IEndpointRouteBuilder MapOpenInferenceApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var v2 = app.MapGroup("/v2").WithTags("Open Inference Protocol v2");

        v2.MapGet(string.Empty, GetServerMetadata).WithName("ServerMetadata").WithSummary("Server name, version and extensions.");
        v2.MapGet("/health/live", () => TypedResults.Ok(new LiveResponse(true))).WithName("ServerLive").WithSummary("Process liveness.");
        v2.MapGet("/health/ready", GetServerReady).WithName("ServerReady").WithSummary("Readiness: every model loaded and warmed up.");

        v2.MapGet("/models/{name}", GetModelMetadata).WithName("ModelMetadata").WithSummary("Inputs and outputs of the newest ready version.");
        v2.MapGet("/models/{name}/versions/{version}", GetModelMetadata).WithName("ModelVersionMetadata").WithSummary("Inputs and outputs of one version.");
        v2.MapGet("/models/{name}/ready", GetModelReady).WithName("ModelReady").WithSummary("Whether the model (newest version) serves.");
        v2.MapGet("/models/{name}/versions/{version}/ready", GetModelReady).WithName("ModelVersionReady").WithSummary("Whether the version serves.");

        var infer = v2.MapGroup("/models/{name}");
        InferenceTelemetry.AddInferenceTelemetry(infer, RequestProtocol.V2);
        ConfigureInfer(infer.MapPost("/infer", InferAsync).WithName("ModelInfer"));
        ConfigureInfer(infer.MapPost("/versions/{version}/infer", InferAsync).WithName("ModelVersionInfer"));

        var repository = v2.MapGroup("/repository").WithTags("Model repository");
        repository.MapPost("/index", GetRepositoryIndexAsync).WithName("RepositoryIndex").WithSummary("Every model and version with its state.");
        repository.MapPost("/models/{name}/load", LoadModelAsync).WithName("RepositoryLoad").WithSummary("(Re)load a model folder; the old versions serve until the new ones are ready.");
        repository.MapPost("/models/{name}/unload", UnloadModelAsync).WithName("RepositoryUnload").WithSummary("Stop serving a model after its in-flight requests finish.");
        return app;
    }

    private static void ConfigureInfer(RouteHandlerBuilder builder) =>
        builder.WithSummary("Run inference (flat or nested data, all OIP datatypes, requested outputs subset).")
            .WithMetadata(new RequestBodyDocumentation(typeof(InferRequestDocument)))
            .WithRequestValidation()
            .Add(endpoint => ApiErrorResult.AddMetadata(endpoint, RequestProtocol.V2, 400, 404, 413, 415, 429, 503, 504));

    internal static async Task<Results<InferResponseResult, ApiErrorResult>> InferAsync(InferRequest request, IOptions<ServingOptions> serving, HttpContext context)
    {
        var model = request.Lookup.Model!;
        var (inference, error) = InferDecoder.Decode(request, model);
        if (error is not null)
        {
            return new ApiErrorResult(error, RequestProtocol.V2);
        }

        var (result, failure) = await InferenceExecution.RunAsync(context, model, inference!, request.TimeoutMicroseconds, serving.Value.QueueFullStatusCode).ConfigureAwait(false);
        return failure is null ? new InferResponseResult(model, result!, request.Id) : new ApiErrorResult(failure, RequestProtocol.V2);
    }

    private static Ok<ServerMetadata> GetServerMetadata() =>
        TypedResults.Ok(new ServerMetadata("mlserving", ServerVersion, ["model_repository"]));

    private static Results<Ok<ReadyResponse>, JsonHttpResult<ReadyResponse>> GetServerReady(ReadinessProbe readiness) =>
        readiness.Evaluate().Ready
            ? TypedResults.Ok(new ReadyResponse(true))
            : TypedResults.Json(new ReadyResponse(false), statusCode: StatusCodes.Status503ServiceUnavailable);

    private static Results<Ok<ModelMetadataResponse>, JsonHttpResult<OipError>> GetModelMetadata(string name, string? version, ModelRepository repository)
    {
        var lookup = repository.Resolve(name, version);
        if (lookup.Model is not { } model)
        {
            return Error(lookup);
        }

        repository.TryGetEntry(name, out var entry);
        string[] versions = version is null
            ? [.. entry.Versions.Where(v => v.Loaded is not null).Select(v => v.Loaded!.VersionText)]
            : [model.VersionText];
        return TypedResults.Ok(new ModelMetadataResponse(
            model.Name, versions, Platform, Describe(model.Signature.Inputs), Describe(model.Signature.Outputs)));
    }

    private static Results<Ok<ModelReadyResponse>, JsonHttpResult<OipError>> GetModelReady(string name, string? version, ModelRepository repository)
    {
        var lookup = repository.Resolve(name, version);
        return lookup.Model is not null ? TypedResults.Ok(new ModelReadyResponse(name, true)) : Error(lookup);
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

    private static async Task<Results<Ok, JsonHttpResult<OipError>>> LoadModelAsync(string name, ModelRepository repository, CancellationToken cancellationToken)
    {
        var entry = await repository.LoadModelAsync(name, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return TypedResults.Json(new OipError($"no model folder '{name}' in the repository"), statusCode: StatusCodes.Status404NotFound);
        }

        return entry.FullyLoaded
            ? TypedResults.Ok()
            : TypedResults.Json(new OipError($"failed to load '{name}': {entry.Reason ?? string.Join("; ", entry.Versions.Where(v => v.Reason is not null).Select(v => $"version {v.Version}: {v.Reason}"))}"), statusCode: StatusCodes.Status400BadRequest);
    }

    private static async Task<Results<Ok, JsonHttpResult<OipError>>> UnloadModelAsync(string name, ModelRepository repository, CancellationToken cancellationToken) =>
        await repository.UnloadModelAsync(name, cancellationToken).ConfigureAwait(false)
            ? TypedResults.Ok()
            : TypedResults.Json(new OipError($"model '{name}' is not loaded"), statusCode: StatusCodes.Status404NotFound);

    private static JsonHttpResult<OipError> Error(ModelLookup lookup) => TypedResults.Json(
        new OipError(lookup.Message!),
        statusCode: lookup.Status == ModelLookupStatus.NotReady ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status404NotFound);

    private static TensorMetadata[] Describe(TensorSpec[] specs) =>
        Array.ConvertAll(specs, s => new TensorMetadata(s.Name, s.ProtocolDataType, s.Shape));

    private static string StateName(ModelState state) => state switch
    {
        ModelState.Ready => "READY",
        ModelState.Loading => "LOADING",
        _ => "UNAVAILABLE",
    };

    private static readonly string ServerVersion =
        typeof(OpenInferenceApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
