using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlServing.Client;
using MlServing.Client.OpenInference;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Cli.Scoring;

/// <summary>
/// Scores batches through a running server with <see cref="MlServingClient"/> (Open Inference Protocol over REST JSON,
/// REST binary tensors or gRPC): one infer request per batch, retried by the client when the server is busy. Feature names and labels come from the model's config.json when the repository is at
/// hand (<c>--repo</c>); the input and outputs from the server's model metadata.
/// </summary>
internal sealed class RemoteScorer : IBatchScorer
{
    private readonly ServiceProvider _services;
    private readonly MlServingClient _client;
    private readonly ModelMetadata _metadata;
    private readonly string? _version;

    private RemoteScorer(ServiceProvider services, MlServingClient client, ModelMetadata metadata, ScoringModel model, string? version)
    {
        _services = services;
        _client = client;
        _metadata = metadata;
        Model = model;
        _version = version;
    }

    public ScoringModel Model { get; }

    public string Version => _version ?? (_metadata.Versions.Count > 0 ? _metadata.Versions[0] : "?");

    public static async Task<RemoteScorer> OpenAsync(RemoteSettings remote, string? repository, string model, string? version, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddMlServingClient(options =>
        {
            options.BaseAddress = remote.Url;
            options.GrpcAddress = remote.GrpcUrl;
            options.ApiKey = remote.ApiKey;
            options.Transport = remote.Transport;
        });
        var provider = services.BuildServiceProvider();
        try
        {
            try
            {
                provider.GetRequiredService<IStartupValidator>().Validate();
            }
            catch (OptionsValidationException ex)
            {
                throw new CliException("invalid --url, --grpc-url or --api-key: " + string.Join("; ", ex.Failures));
            }

            var client = provider.GetRequiredService<MlServingClient>();
            ModelMetadata metadata;
            try
            {
                metadata = await client.GetModelMetadataAsync(model, version, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MlServingClientException or HttpRequestException)
            {
                throw new CliException($"{remote.Url}: cannot read model '{model}': {ex.Message}");
            }

            var config = ModelConfig.Empty;
            if (repository is not null && Directory.Exists(Path.Combine(repository, model)))
            {
                try
                {
                    config = ModelConfigReader.Read(Path.Combine(repository, model));
                }
                catch (Exception ex) when (ex is MlServing.Inference.Runtime.ModelLoadException)
                {
                    throw new CliException($"model '{model}': {ex.Message}");
                }
            }

            return new RemoteScorer(provider, client, metadata, ScoringModel.FromMetadata(metadata, config), version);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<PooledTensor[]> ScoreAsync(PooledTensor features, int rows, CancellationToken cancellationToken)
    {
        InferTensor input;
        using (features)
        {
            input = new InferTensor(features.Name, features.DataType.ToProtocolName(), features.Shape, ToArray(features));
        }

        InferResponse response;
        try
        {
            response = await _client.InferAsync(Model.Name, new InferRequest { Inputs = [input] }, _version, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MlServingClientException or HttpRequestException)
        {
            throw new CliException($"the server refused a batch of model '{Model.Name}': {ex.Message}");
        }

        var outputs = new PooledTensor[response.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            outputs[i] = ToTensor(response.Outputs[i]);
        }

        return outputs;
    }

    public PooledTensor[] EmptyOutputs()
    {
        var outputs = new PooledTensor[_metadata.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = _metadata.Outputs[i];
            var type = TensorDataTypes.TryParse(output.Datatype, out var parsed) ? parsed : TensorDataType.Float32;
            outputs[i] = EmptyTensors.Create(output.Name, type, output.Shape, null);
        }

        return outputs;
    }

    /// <summary>The tensor's elements as the typed array the client sends (float[] for FP32, …).</summary>
    private static Array ToArray(PooledTensor tensor)
    {
        if (tensor.IsStrings)
        {
            return tensor.Strings.ToArray();
        }

        var array = Array.CreateInstance(InferDatatypes.ElementType(tensor.DataType.ToProtocolName()), tensor.ElementCount);
        tensor.Bytes.CopyTo(Bytes(array, tensor.DataType));
        return array;
    }

    private static PooledTensor ToTensor(InferTensor output)
    {
        if (!TensorDataTypes.TryParse(output.Datatype, out var type))
        {
            throw new CliException($"the server answered output '{output.Name}' with the unknown datatype '{output.Datatype}'");
        }

        using var builder = new PooledTensorBuilder(type, Math.Max(1, output.Data.Length));
        if (output.Data is string[] strings)
        {
            foreach (var text in strings)
            {
                builder.AppendString(text);
            }
        }
        else
        {
            builder.AppendBytes(Bytes(output.Data, type));
        }

        return builder.Build(output.Name, output.Shape, output.Classes);
    }

    /// <summary>The memory of an array of numbers or booleans, as bytes.</summary>
    private static Span<byte> Bytes(Array data, TensorDataType type) =>
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(data), data.Length * type.ElementSize());

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
