using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using MlServing.Inference.Batching;
using MlServing.Inference.Caching;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Runtime;

/// <summary>Builds a <see cref="ModelVersion"/> completely (session, checks, warm-up) before anyone can see it.</summary>
public sealed class ModelVersionLoader
{
    private readonly RuntimeOptions _options;
    private readonly BatchingOptions _batching;
    private readonly PredictionCache? _cache;
    private readonly MlServingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelVersionLoader> _logger;

    public ModelVersionLoader(
        IOptions<RuntimeOptions> options, IOptions<BatchingOptions> batching, MlServingMetrics metrics, TimeProvider time, ILogger<ModelVersionLoader> logger, PredictionCache? cache = null)
    {
        _options = options.Value;
        _batching = batching.Value;
        _cache = cache;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <exception cref="ModelLoadException">The version cannot serve; the message says why.</exception>
    public Task<ModelVersion> LoadAsync(string name, long version, string modelPath, ModelConfig config, CancellationToken cancellationToken) =>
        Task.Run(() => Load(name, version, modelPath, config), cancellationToken);

    private ModelVersion Load(string name, long version, string modelPath, ModelConfig config)
    {
        var started = Stopwatch.GetTimestamp();
        ModelSession session;
        using (var sessionOptions = CreateSessionOptions())
        {
            var provider = ExecutionProviderSelector.Apply(
                sessionOptions,
                config.ExecutionProvider ?? _options.ExecutionProvider,
                config.DeviceId ?? _options.DeviceId,
                config.RequireGpu ?? _options.RequireGpu,
                _logger,
                name,
                version);
            try
            {
                session = ModelSession.Load(modelPath, sessionOptions, provider);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new ModelLoadException("ONNX Runtime cannot load model.onnx: " + ex.Message, ex);
            }
        }

        try
        {
            CheckConfig(config, session.Signature);
            if (_options.Warmup)
            {
                Warmup(session, config, name, version);
            }

            var metrics = _metrics.ForVersion(name, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var policy = BatchPolicy.Resolve(_batching, config, session.Signature.IsBatchable);
            IInferencePipeline pipeline = new BatchingPipeline(session, policy, metrics, _time, _logger);
            if (_cache?.Store is { } store && config.Cache?.Enabled != false)
            {
                var ttl = TimeSpan.FromSeconds(config.Cache?.TtlSeconds ?? _cache.Options.TtlSeconds);
                pipeline = new CachingPipeline(pipeline, name, version.ToString(System.Globalization.CultureInfo.InvariantCulture), session, metrics, store, ttl);
            }

            var loaded = new ModelVersion(name, version, config, session, pipeline, metrics);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var inputs = string.Join("; ", (object[])session.Signature.Inputs);
                var outputs = string.Join("; ", (object[])session.Signature.Outputs);
                RuntimeLog.ModelVersionLoaded(_logger, name, version, session.ExecutionProvider, elapsedMs, session.Signature.IsBatchable, inputs, outputs);
            }

            return loaded;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = _options.GraphOptimizationLevel,
            ExecutionMode = _options.ExecutionMode,
        };
        if (_options.IntraOpThreads > 0)
        {
            options.IntraOpNumThreads = _options.IntraOpThreads;
        }

        if (_options.InterOpThreads > 0)
        {
            options.InterOpNumThreads = _options.InterOpThreads;
        }

        return options;
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

    private void Warmup(ModelSession session, ModelConfig config, string name, long version)
    {
        var configured = config.Warmup?.Inputs;
        var inputs = new PooledTensor[session.Signature.Inputs.Length];
        try
        {
            if (configured is { Length: > 0 })
            {
                BuildConfiguredInputs(session.Signature, configured, inputs);
                try
                {
                    Dispose(session.Run(inputs, session.AllOutputs));
                }
                catch (OnnxRuntimeException ex)
                {
                    throw new ModelLoadException("the configured warm-up inference failed: " + ex.Message, ex);
                }

                return;
            }

            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = Zeros(session.Signature.Inputs[i]);
            }

            try
            {
                Dispose(session.Run(inputs, session.AllOutputs));
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or NotSupportedException)
            {
                RuntimeLog.SyntheticWarmupFailed(_logger, name, version, ex.Message);
            }
        }
        finally
        {
            Dispose(inputs);
        }
    }

    private static void BuildConfiguredInputs(ModelSignature signature, WarmupTensor[] configured, PooledTensor[] inputs)
    {
        foreach (var tensor in configured)
        {
            var index = signature.IndexOfInput(tensor.Name);
            if (index < 0)
            {
                throw new ModelLoadException($"warmup input '{tensor.Name}' is not an input of the model (inputs: {string.Join(", ", signature.InputNames)})");
            }

            var spec = signature.Inputs[index];
            var shape = tensor.Shape!;
            var expected = PooledTensor.CountElements(shape);
            using var builder = new PooledTensorBuilder(spec.DataType, (int)Math.Clamp(expected, 1, 1 << 20));
            var json = Encoding.UTF8.GetBytes(tensor.Data.ValueKind == JsonValueKind.Undefined ? "null" : tensor.Data.GetRawText());
            var reader = new Utf8JsonReader(json);
            reader.Read();
            var error = JsonTensorReader.ReadValue(ref reader, builder, true, out _);
            if (error is not null || builder.Count != expected)
            {
                throw new ModelLoadException($"warmup input '{tensor.Name}': {error ?? $"shape [{string.Join(',', shape)}] needs {expected} elements, data has {builder.Count}"}");
            }

            inputs[index] = builder.Build(spec.Name, shape);
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null)
            {
                throw new ModelLoadException($"warmup inputs do not include model input '{signature.Inputs[i].Name}'");
            }
        }
    }

    private static PooledTensor Zeros(TensorSpec spec)
    {
        var shape = Array.ConvertAll(spec.Shape, d => d < 0 ? 1L : d);
        var count = (int)PooledTensor.CountElements(shape);
        if (spec.DataType == TensorDataType.Bytes)
        {
            var strings = ArrayPool<string>.Shared.Rent(Math.Max(1, count));
            strings.AsSpan(0, count).Fill(string.Empty);
            return PooledTensor.FromRentedStrings(spec.Name, shape, strings, count);
        }

        var bytes = count * spec.DataType.ElementSize();
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, bytes));
        buffer.AsSpan(0, bytes).Clear();
        return PooledTensor.FromRentedBytes(spec.Name, spec.DataType, shape, buffer, bytes);
    }

    private static void Dispose(PooledTensor?[] tensors)
    {
        foreach (var tensor in tensors)
        {
            tensor?.Dispose();
        }
    }
}
