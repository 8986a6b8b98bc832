using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using FsCheck.Fluent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MlServing.Api.OpenInference;
using MlServing.Api.Predict;
using MlServing.Api.Requests;
using MlServing.Inference.Errors;
using MlServing.Inference.Tensors;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Validation;

/// <summary>
/// Generated hostile JSON (<see cref="HostileJson"/>) against both decoders and both HTTP routes: never an exception or
/// a 5xx; either a 4xx that names the offending field in the route's error format, or a 200 (or a decoded request)
/// whose values are exactly those sent. Bodies that are certainly invalid must be refused, valid ones served.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class HostileJsonPropertyTests : IClassFixture<HostileJsonPropertyTests.FixtureServer>
{
    public const int DecoderCases = 1000;
    public const int RouteCases = 600;

    private static readonly string[] PredictRoots = ["body", "model", "version", "instances", "inputs", "parameters", "outputs"];
    private static readonly string[] InferRoots = ["body", "id", "inputs", "outputs", "parameters"];

    private readonly FixtureServer _server;

    public HostileJsonPropertyTests(FixtureServer server) => _server = server;

    public sealed class FixtureServer() : SharedServer(
        new TestRepository().AddFixture("identity-fp32", "id").AddFixture("fp64-regressor", "reg"),
        new Dictionary<string, string?> { ["MlServing:Limits:MaxRequestBodyBytes"] = HostileJson.BodyLimit.ToString(CultureInfo.InvariantCulture) })
    {
    }

    [Fact]
    public async Task PredictDecoder_NeverThrows_AndDecodesExactlyWhatWasSent_OrNamesTheField()
    {
        var http = _server.Factory.Services.GetRequiredService<HttpInference>();
        Assert.Equal(HostileJson.BodyLimit, http.BodyLimit);
        var ran = 0;
        var property = Prop.ForAll(Arb.From(HostileJson.PredictBodies), async body =>
        {
            Interlocked.Increment(ref ran);
            using var request = await PredictRequest.ReadAsync(Context(body), http);
            if ((request.BodyError ?? request.LookupError ?? request.DecodeError) is { } error)
            {
                Assert.False(body.MustSucceed, $"{error} for a valid body: {body}");
                AssertNamesAField(error, PredictRoots, body);
                return;
            }

            // Both or neither of instances/inputs, or no rows, is the envelope validator's to refuse.
            if (request.HasInstances == request.HasInputs || (request.HasInstances && request.InstanceCount == 0))
            {
                return;
            }

            using var call = request.TakeCall(bypassCache: false, timeout: null, requestId: null, out _);
            if (body.Elements is not null && request.Lease!.Model.Name == "id" && call.Inputs.FirstOrDefault(i => i.Name == "x") is { } x)
            {
                AssertEcho(body, x.AsSpan<float>().ToArray(), nonFiniteStrings: false);
            }
        });

        await Properties.CheckAsync(property, DecoderCases, seed: 9_001);

        Assert.Equal(DecoderCases, ran);
    }

    [Fact]
    public async Task InferDecoder_NeverThrows_AndDecodesExactlyWhatWasSent_OrNamesTheField()
    {
        var ran = 0;
        var property = Prop.ForAll(Arb.From(HostileJson.InferBodies), async body =>
        {
            Interlocked.Increment(ref ran);
            using var request = await InferRequest.ReadAsync(Context(body), HostileJson.BodyLimit);
            if ((request.BodyError ?? request.DataError) is { } error)
            {
                Assert.False(body.MustSucceed, $"{error} for a valid body: {body}");
                AssertNamesAField(error, InferRoots, body);
                return;
            }

            using var call = request.TakeCall(bypassCache: false, timeout: null, requestId: null);
            Assert.True(!body.MustSucceed || call.Inputs is [{ Name: "x" }], $"a valid body decoded as [{string.Join(", ", call.Inputs.Select(i => i.Name))}]: {body}");
            if (body.Elements is not null && call.Inputs.FirstOrDefault(i => i.Name == "x") is { DataType: TensorDataType.Float32 } x)
            {
                // The decoder takes "NaN"/"Infinity" strings; whether the model accepts them is the engine's check.
                AssertEcho(body, x.AsSpan<float>().ToArray(), nonFiniteStrings: true);
            }
        });

        await Properties.CheckAsync(property, DecoderCases, seed: 9_002);

        Assert.Equal(DecoderCases, ran);
    }

    [Fact]
    public Task PredictRoute_AnswersEveryGeneratedBody_With200EchoingIt_OrA4xxProblemNamingTheField() =>
        CheckRouteAsync(HostileJson.PredictBodies, "/predict", json => json["predictions"], seed: 9_003, (body, status, json, mediaType) =>
        {
            Assert.Equal("application/problem+json", mediaType);
            Assert.Equal(status, json["status"]!.GetValue<int>());
            if (status == 404)
            {
                Assert.Contains("model", json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
                return;
            }

            Assert.True(status is 400 or 413, $"{status} for {body}: {json.ToJsonString()}");
            var errors = json["errors"]!.AsObject();
            Assert.True(errors.Count > 0, $"no field named for {body}: {json.ToJsonString()}");
            foreach (var (field, messages) in errors)
            {
                AssertFieldRoot(field, messages!.ToJsonString(), PredictRoots, body);
            }
        });

    [Fact]
    public Task InferRoute_AnswersEveryGeneratedBody_With200EchoingIt_OrA4xxErrorNamingTheField() =>
        CheckRouteAsync(HostileJson.InferBodies, "/v2/models/id/infer", json => json["outputs"]![0]!["data"], seed: 9_004, (body, status, json, mediaType) =>
        {
            Assert.Equal("application/json", mediaType);
            Assert.Single(json.AsObject());
            var message = json["error"]!.GetValue<string>();
            if (status == 504 && body.Text.Contains("timeout", StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(status is 400 or 413, $"{status} for {body}: {message}");
            var colon = message.IndexOf(": ", StringComparison.Ordinal);
            Assert.True(colon >= 0, $"no field named for {body}: {message}");
            AssertFieldRoot(message[..colon], message, InferRoots, body);
        });

    /// <summary>
    /// Posts <see cref="RouteCases"/> generated bodies: a 200 must not be for a body that must fail and must echo the
    /// elements sent (<paramref name="values"/> finds them in the answer); anything else goes to <paramref name="refused"/>.
    /// </summary>
    private async Task CheckRouteAsync(
        FsCheck.Gen<HostileBody> bodies, string path, Func<JsonNode, JsonNode?> values, ulong seed, Action<HostileBody, int, JsonNode, string?> refused)
    {
        var ran = 0;
        var property = Prop.ForAll(Arb.From(bodies), async body =>
        {
            Interlocked.Increment(ref ran);
            var (status, json, mediaType) = await PostAsync(path, body);
            Assert.True(status == 200 || !body.MustSucceed, $"{status} for a valid body: {body}: {json.ToJsonString()}");
            if (status != 200)
            {
                refused(body, status, json, mediaType);
                return;
            }

            Assert.False(body.MustFail, $"200 for a body that must fail: {body}");
            if (body.Elements is not null)
            {
                AssertEcho(body, Numbers(values(json)), nonFiniteStrings: false);
            }
        });

        await Properties.CheckAsync(property, RouteCases, seed);

        Assert.Equal(RouteCases, ran);
    }

    private async Task<(int Status, JsonNode Json, string? MediaType)> PostAsync(string path, HostileBody body)
    {
        var content = new ByteArrayContent(body.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _server.Client.PostAsync(path, content).WaitAsync(TimeSpan.FromSeconds(30));
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Assert.True(status == 200 || status is >= 400 and < 500 || status == 504, $"{status} for {body}: {text}");
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"{status} with a body that is not JSON for {body}: {text} ({ex.Message})");
        }

        Assert.True(json is not null, $"{status} with an empty body for {body}");
        return (status, json!, response.Content.Headers.ContentType?.MediaType);
    }

    private static DefaultHttpContext Context(HostileBody body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Body.Length;
        context.Request.Body = new MemoryStream(body.Body, writable: false);
        return context;
    }

    /// <summary>A refusal is a 4xx kind that names a field of the request (or says which member is unknown).</summary>
    private static void AssertNamesAField(InferenceError error, string[] roots, HostileBody body)
    {
        if (error.Kind == InferenceErrorKind.NotFound)
        {
            Assert.Contains("model", error.Message, StringComparison.Ordinal);
            return;
        }

        Assert.True(error.Kind is InferenceErrorKind.InvalidInput or InferenceErrorKind.TooLarge, $"{error} for {body}");
        Assert.True(error.Fields is { Count: > 0 }, $"no field named: {error} for {body}");
        foreach (var (field, messages) in error.Fields!)
        {
            AssertFieldRoot(field, string.Join(" ", messages), roots, body);
        }
    }

    private static void AssertFieldRoot(string field, string message, string[] roots, HostileBody body)
    {
        var end = field.IndexOfAny(['[', '.']);
        var root = end < 0 ? field : field[..end];
        Assert.True(
            roots.Contains(root) || message.Contains("unknown field", StringComparison.Ordinal),
            $"'{field}' is not a field of the request ({message}) for {body}");
    }

    /// <summary>The values that came back are exactly the FP32 values of the elements sent, in order.</summary>
    private static void AssertEcho(HostileBody body, float[] actual, bool nonFiniteStrings)
    {
        var expected = body.Elements!;
        Assert.True(expected.Length == actual.Length, $"{actual.Length} values for {expected.Length} elements sent: {body}");
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(TryFloat(expected[i], nonFiniteStrings, out var value), $"element {i} ({expected[i]}) was accepted: {body}");
            var same = float.IsNaN(value) ? float.IsNaN(actual[i]) : BitConverter.SingleToInt32Bits(value) == BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(same, $"element {i}: sent {expected[i]}, got {actual[i].ToString("R", CultureInfo.InvariantCulture)}: {body}");
        }
    }

    private static bool TryFloat(string text, bool nonFiniteStrings, out float value)
    {
        if (nonFiniteStrings && text.Length > 2 && text[0] == '"')
        {
            value = text[1..^1] switch
            {
                "NaN" or "nan" => float.NaN,
                "Infinity" or "inf" or "+Infinity" => float.PositiveInfinity,
                "-Infinity" or "-inf" => float.NegativeInfinity,
                _ => 0,
            };
            return text[1..^1] is "NaN" or "nan" or "Infinity" or "inf" or "+Infinity" or "-Infinity" or "-inf";
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value)
            && text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-');
    }

    private static float[] Numbers(JsonNode? node)
    {
        var values = new List<float>();
        void Walk(JsonNode? item)
        {
            switch (item)
            {
                case JsonArray array:
                    foreach (var child in array)
                    {
                        Walk(child);
                    }

                    break;
                case JsonObject obj:
                    foreach (var (_, child) in obj)
                    {
                        Walk(child);
                    }

                    break;
                case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                    values.Add(value.GetValue<float>());
                    break;
            }
        }

        Walk(node);
        return [.. values];
    }
}
