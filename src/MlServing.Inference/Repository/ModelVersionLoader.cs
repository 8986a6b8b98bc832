using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Repository;

/// <summary>Builds a <see cref="ModelVersion"/> completely (session, checks, warm-up, pipeline) before anyone can see it.</summary>
public sealed class ModelVersionLoader
{
    private readonly SessionFactory _sessions;
    private readonly PipelineBuilder _pipelines;
    private readonly EngineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelVersionLoader> _logger;

    public ModelVersionLoader(SessionFactory sessions, PipelineBuilder pipelines, EngineMetrics metrics, TimeProvider time, ILogger<ModelVersionLoader> logger)
    {
        _sessions = sessions;
        _pipelines = pipelines;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Test seam: called on the loading thread before a version's warm-up (a slow warm-up can be held there).</summary>
    internal Action<string, long>? BeforeWarmup { get; set; }

    /// <exception cref="ModelLoadException">The version cannot serve; the message says why.</exception>
    public Task<ModelVersion> LoadAsync(string name, long version, string modelPath, ModelConfig config, CancellationToken cancellationToken) =>
        Task.Run(() => Load(name, version, modelPath, config), cancellationToken);

    private ModelVersion Load(string name, long version, string modelPath, ModelConfig config)
    {
        var started = _time.GetTimestamp();
        var session = _sessions.Open(modelPath, config.ExecutionProvider, config.DeviceId, config.RequireGpu, name, version);
        try
        {
            CheckConfig(config, session.Signature);
            BeforeWarmup?.Invoke(name, version);
            if (_sessions.Options.Warmup)
            {
                Warmup(session, config, name, version);
            }

            var versionText = version.ToString(CultureInfo.InvariantCulture);
            var metrics = _metrics.ForVersion(name, versionText);
            var pipeline = _pipelines.Build(new PipelineContext(name, version, versionText, session, config, metrics, Path.GetDirectoryName(Path.GetFullPath(modelPath))!));
            var loaded = new ModelVersion(name, version, config, session, pipeline, metrics);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var elapsedMs = (long)_time.GetElapsedTime(started).TotalMilliseconds;
                var inputs = string.Join("; ", (object[])session.Signature.Inputs);
                var outputs = string.Join("; ", (object[])session.Signature.Outputs);
                RepositoryLog.ModelVersionLoaded(_logger, name, version, session.ExecutionProvider, elapsedMs, session.Signature.IsBatchable, inputs, outputs);
            }

            return loaded;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static void CheckConfig(ModelConfig config, ModelSignature signature)
    {
        if (config.Features is not { } features)
        {
            return;
        }

        if (signature.Inputs.Length != 1 || signature.Inputs[0].Rank != 2)
        {
            throw new ModelLoadException($"config.json lists features, but they name the columns of a single 2-D input and this model has inputs {string.Join("; ", (object[])signature.Inputs)}");
        }

        var width = signature.Inputs[0].Shape[1];
        if (width >= 0 && width != features.Length)
        {
            throw new ModelLoadException($"config.json lists {features.Length} features, but input '{signature.Inputs[0].Name}' has {width} columns");
        }
    }

    /// <summary>One inference straight on the session (no pipeline: warm-ups count in no request metric).</summary>
    private void Warmup(ModelSession session, ModelConfig config, string name, long version)
    {
        if (config.Warmup?.Inputs is { Length: > 0 } configured)
        {
            var inputs = WarmupInputs.FromConfig(session.Signature, configured);
            try
            {
                WarmupInputs.Dispose(session.Run(inputs, session.AllOutputs));
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or NotSupportedException)
            {
                throw new ModelLoadException("the configured warm-up inference failed: " + ex.Message, ex);
            }
            finally
            {
                WarmupInputs.Dispose(inputs);
            }

            return;
        }

        var zeros = WarmupInputs.Zeros(session.Signature);
        try
        {
            WarmupInputs.Dispose(session.Run(zeros, session.AllOutputs));
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or NotSupportedException)
        {
            RepositoryLog.SyntheticWarmupFailed(_logger, name, version, ex.Message);
        }
        finally
        {
            WarmupInputs.Dispose(zeros);
        }
    }
}
