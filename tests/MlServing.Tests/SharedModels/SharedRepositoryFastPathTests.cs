using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Google.Protobuf;
using MlServing.Grpc.Inference;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.SharedModels;

/// <summary>
/// Every model of the shared reference repository through the Open Inference Protocol's fast paths — gRPC with typed
/// contents, gRPC with raw contents, and REST with binary tensors — equals its reference.json.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SharedRepositoryFastPathTests
{
    private static string SharedRoot => SharedModelRepository.RequiredRoot;

    internal sealed record Tensor(string Name, string Datatype, long[] Shape, double[] Values);

    internal sealed record Case(string Model, string Version, ReferenceFile Reference, Tensor[] Inputs);

    internal static IEnumerable<Case> Cases()
    {
        foreach (var model in Directory.GetDirectories(SharedRoot).Order(StringComparer.Ordinal))
        {
            var path = Path.Combine(model, "reference.json");
            if (!File.Exists(path))
            {
                continue;
            }

            var reference = ReferenceFile.Load(path);
            var inputs = reference.Inputs.Select(i => new Tensor(
                i!["name"]!.GetValue<string>(), i["datatype"]!.GetValue<string>(),
                [.. i["shape"]!.AsArray().Select(d => d!.GetValue<long>())], ReferenceFile.Flatten(i["data"]))).ToArray();
            foreach (var version in Directory.GetDirectories(model).Select(Path.GetFileName).Where(v => long.TryParse(v, out _)))
            {
                yield return new Case(Path.GetFileName(model), version!, reference, inputs);
            }
        }
    }

    private static byte[] Raw(Tensor tensor) => tensor.Datatype switch
    {
        "FP32" => MemoryMarshal.AsBytes(tensor.Values.Select(v => (float)v).ToArray().AsSpan()).ToArray(),
        "FP64" => MemoryMarshal.AsBytes(tensor.Values.AsSpan()).ToArray(),
        "INT64" => MemoryMarshal.AsBytes(tensor.Values.Select(v => (long)v).ToArray().AsSpan()).ToArray(),
        "INT32" => MemoryMarshal.AsBytes(tensor.Values.Select(v => (int)v).ToArray().AsSpan()).ToArray(),
        var other => throw new NotSupportedException($"reference inputs of {other}"),
    };

    private static double[] FromRaw(string datatype, ReadOnlySpan<byte> data) => datatype switch
    {
        "FP32" => [.. MemoryMarshal.Cast<byte, float>(data).ToArray().Select(v => (double)v)],
        "FP64" => MemoryMarshal.Cast<byte, double>(data).ToArray(),
        "INT64" => [.. MemoryMarshal.Cast<byte, long>(data).ToArray().Select(v => (double)v)],
        "INT32" => [.. MemoryMarshal.Cast<byte, int>(data).ToArray().Select(v => (double)v)],
        var other => throw new NotSupportedException($"reference outputs of {other}"),
    };

    private static ModelInferRequest GrpcRequest(Case c, bool raw)
    {
        var request = new ModelInferRequest { ModelName = c.Model, ModelVersion = c.Version, Id = c.Model };
        foreach (var tensor in c.Inputs)
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = tensor.Name, Datatype = tensor.Datatype };
            input.Shape.AddRange(tensor.Shape);
            if (raw)
            {
                request.RawInputContents.Add(ByteString.CopyFrom(Raw(tensor)));
            }
            else
            {
                input.Contents = new InferTensorContents();
                switch (tensor.Datatype)
                {
                    case "FP32":
                        input.Contents.Fp32Contents.AddRange(tensor.Values.Select(v => (float)v));
                        break;
                    case "FP64":
                        input.Contents.Fp64Contents.AddRange(tensor.Values);
                        break;
                    case "INT64":
                        input.Contents.Int64Contents.AddRange(tensor.Values.Select(v => (long)v));
                        break;
                    default:
                        input.Contents.IntContents.AddRange(tensor.Values.Select(v => (int)v));
                        break;
                }
            }

            request.Inputs.Add(input);
        }

        return request;
    }

    private static double[] FromTyped(InferTensorContents contents) =>
        contents.Fp32Contents.Count > 0 ? [.. contents.Fp32Contents.Select(v => (double)v)]
        : contents.Fp64Contents.Count > 0 ? [.. contents.Fp64Contents]
        : contents.Int64Contents.Count > 0 ? [.. contents.Int64Contents.Select(v => (double)v)]
        : [.. contents.IntContents.Select(v => (double)v)];

    private static JsonArray Expected(Case c) => c.Reference.OutputsFor(c.Version == "1" && c.Model == "breast-cancer-logreg" ? "1" : null);

    internal static void Check(Case c, string path, string name, string shape, double[] actual)
    {
        var expected = Expected(c).Single(o => o!["name"]!.GetValue<string>() == name)!;
        Assert.True(expected["shape"]!.ToJsonString() == shape, $"{path} {c.Model}/{c.Version} {name}: shape {shape}, expected {expected["shape"]!.ToJsonString()}");
        c.Reference.AssertClose($"{path} {c.Model}/{c.Version} {name}", expected["datatype"]!.GetValue<string>(), ReferenceFile.Flatten(expected["data"]), actual);
    }

    internal static string ShapeText(IEnumerable<long> shape) => "[" + string.Join(',', shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    [SharedModelsFact]
    public async Task EveryModel_ThroughGrpcTypedGrpcRawAndRestBinary_MatchesItsReference()
    {
        using var repo = SharedRepositoryOracleTests.AllVersionsCopy();
        await using var server = await KestrelServer.StartAsync(repo.Path);
        var checkedCases = 0;
        foreach (var c in Cases())
        {
            foreach (var raw in new[] { false, true })
            {
                var path = raw ? "gRPC raw" : "gRPC typed";
                var response = await server.Grpc.ModelInferAsync(GrpcRequest(c, raw)).ResponseAsync;
                Assert.Equal(c.Version, response.ModelVersion);
                Assert.Equal(raw, response.RawOutputContents.Count > 0);
                for (var o = 0; o < response.Outputs.Count; o++)
                {
                    var output = response.Outputs[o];
                    var values = raw ? FromRaw(output.Datatype, response.RawOutputContents[o].Span) : FromTyped(output.Contents);
                    Check(c, path, output.Name, ShapeText(output.Shape), values);
                }

                Assert.Equal(Expected(c).Count, response.Outputs.Count);
            }

            var json = new JsonObject
            {
                ["inputs"] = new JsonArray([.. c.Inputs.Select(t => (JsonNode?)new JsonObject
                {
                    ["name"] = t.Name,
                    ["datatype"] = t.Datatype,
                    ["shape"] = new JsonArray([.. t.Shape.Select(d => (JsonNode?)d)]),
                    ["parameters"] = new JsonObject { ["binary_data_size"] = Raw(t).Length },
                })]),
                ["parameters"] = new JsonObject { ["binary_data_output"] = true },
            };
            var data = c.Inputs.SelectMany(Raw).ToArray();
            var (header, body) = await BinaryTensorBody.ReadAsync(await server.Http.PostAsync(
                new Uri($"/v2/models/{c.Model}/versions/{c.Version}/infer", UriKind.Relative), BinaryTensorBody.Request(json, data)));
            var offset = 0;
            foreach (var output in header["outputs"]!.AsArray())
            {
                var size = output!["parameters"]!["binary_data_size"]!.GetValue<int>();
                Check(c, "REST binary", output["name"]!.GetValue<string>(), output["shape"]!.ToJsonString(), FromRaw(output["datatype"]!.GetValue<string>(), body.AsSpan(offset, size)));
                offset += size;
            }

            Assert.Equal(body.Length, offset);
            checkedCases++;
        }

        Assert.True(checkedCases >= 8, $"only {checkedCases} shared model versions were checked");
    }
}
