using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using MlServing.Grpc.Inference;

namespace MlServing.GrpcLoad;

/// <summary>
/// Reads the request bodies of the binary tensor extension written by make_fastpath_bodies.py (records of a line
/// "JSON_LENGTH TOTAL_LENGTH" then TOTAL_LENGTH bytes: the JSON header and the raw tensors) and turns each into the
/// equivalent gRPC ModelInfer request with raw_input_contents, so that REST binary and gRPC raw send the same tensors.
/// </summary>
internal static class BinaryBodies
{
    public static List<ModelInferRequest> Read(string path, string model)
    {
        var requests = new List<ModelInferRequest>();
        using var file = File.OpenRead(path);
        while (ReadLine(file) is { Length: > 0 } line)
        {
            var parts = line.Split(' ');
            var jsonLength = int.Parse(parts[0], CultureInfo.InvariantCulture);
            var total = int.Parse(parts[1], CultureInfo.InvariantCulture);
            var body = new byte[total];
            file.ReadExactly(body);
            requests.Add(ToRequest(model, JsonNode.Parse(body.AsSpan(0, jsonLength))!, body.AsMemory(jsonLength)));
        }

        return requests;
    }

    private static ModelInferRequest ToRequest(string model, JsonNode json, ReadOnlyMemory<byte> data)
    {
        var request = new ModelInferRequest { ModelName = model };
        var offset = 0;
        foreach (var input in json["inputs"]!.AsArray())
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input!["name"]!.GetValue<string>(), Datatype = input["datatype"]!.GetValue<string>() };
            tensor.Shape.AddRange(input["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
            var size = input["parameters"]!["binary_data_size"]!.GetValue<int>();
            request.Inputs.Add(tensor);
            request.RawInputContents.Add(ByteString.CopyFrom(data.Span.Slice(offset, size)));
            offset += size;
        }

        return request;
    }

    private static string? ReadLine(Stream stream)
    {
        var line = new StringBuilder();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n')
        {
            line.Append((char)b);
        }

        return b < 0 && line.Length == 0 ? null : line.ToString();
    }
}
