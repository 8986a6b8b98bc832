using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MlServing.Tests.Infrastructure;

/// <summary>Builds and reads bodies of the binary tensor extension: a JSON header, then raw tensor data.</summary>
public static class BinaryTensorBody
{
    public const string Header = "Inference-Header-Content-Length";

    /// <summary>A request body: <paramref name="json"/> followed by <paramref name="data"/>, with the header giving the JSON's length.</summary>
    public static HttpContent Request(JsonNode json, byte[] data, string? contentType = "application/octet-stream", int? headerLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json.ToJsonString());
        var content = new ByteArrayContent([.. header, .. data]);
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        content.Headers.Add(Header, (headerLength ?? header.Length).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return content;
    }

    /// <summary>Splits a binary response into its JSON header and the raw data after it.</summary>
    public static async Task<(JsonNode Json, byte[] Data)> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var length = int.Parse(response.Headers.GetValues(Header).Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(body.Length, (int)response.Content.Headers.ContentLength!.Value);
        return (JsonNode.Parse(body.AsSpan(0, length))!, body[length..]);
    }

    /// <summary>BYTES elements in the raw layout (4-byte little-endian length, then the UTF-8 bytes).</summary>
    public static byte[] Strings(params string[] values)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(prefix, utf8.Length);
            bytes.AddRange(prefix);
            bytes.AddRange(utf8);
        }

        return [.. bytes];
    }

    /// <summary>Reads BYTES elements from the raw layout.</summary>
    public static string[] ReadStrings(ReadOnlySpan<byte> data)
    {
        var values = new List<string>();
        while (!data.IsEmpty)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data);
            values.Add(Encoding.UTF8.GetString(data.Slice(4, length)));
            data = data[(4 + length)..];
        }

        return [.. values];
    }
}
