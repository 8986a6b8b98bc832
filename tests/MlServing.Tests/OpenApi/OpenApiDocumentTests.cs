using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.OpenApi;

[Collection(ServerCollection.Name)]
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task Document_DescribesBothApis_WithSchemas()
    {
        await using var factory = new MlServingFactory(TestRepository.SamplesPath);
        var client = await factory.StartAsync();

        var document = await (await client.GetAsync("/swagger/v1/swagger.json")).ExpectAsync(200);
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[]
        {
            "/predict", "/v2", "/v2/health/live", "/v2/health/ready", "/v2/models/{name}", "/v2/models/{name}/versions/{version}",
            "/v2/models/{name}/ready", "/v2/models/{name}/versions/{version}/ready", "/v2/models/{name}/infer",
            "/v2/models/{name}/versions/{version}/infer", "/v2/repository/index", "/v2/repository/models/{name}/load",
            "/v2/repository/models/{name}/unload", "/health/live", "/health/ready",
        })
        {
            Assert.True(paths.ContainsKey(path), $"{path} is not documented");
        }

        var predict = paths["/predict"]!["post"]!;
        Assert.Equal("#/components/schemas/PredictRequestDocument", predict["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/PredictResponseDocument", predict["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(predict["responses"]!["400"]);
        Assert.NotNull(predict["responses"]!["413"]);
        var infer = paths["/v2/models/{name}/infer"]!["post"]!;
        Assert.Equal("#/components/schemas/InferRequestDocument", infer["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/OipError", infer["responses"]!["404"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.True(schemas.ContainsKey("InferResponseDocument"));
        Assert.True(schemas.ContainsKey("ModelMetadataResponse"));
    }

    [Fact]
    public async Task Document_OffersBearerAndXApiKey_ForTheAuthorizeButton_OnProtectedOperationsOnly()
    {
        await using var factory = new MlServingFactory(TestRepository.SamplesPath);
        var client = await factory.StartAsync();

        var document = await (await client.GetAsync("/swagger/v1/swagger.json")).ExpectAsync(200);

        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("http", schemes["Bearer"]!["type"]!.GetValue<string>());
        Assert.Equal("bearer", schemes["Bearer"]!["scheme"]!.GetValue<string>());
        Assert.Equal("apiKey", schemes["X-API-Key"]!["type"]!.GetValue<string>());
        Assert.Equal("header", schemes["X-API-Key"]!["in"]!.GetValue<string>());
        Assert.Equal("X-API-Key", schemes["X-API-Key"]!["name"]!.GetValue<string>());
        var paths = document["paths"]!;
        foreach (var (path, method) in new[] { ("/predict", "post"), ("/v2/models/{name}/infer", "post"), ("/v2/repository/models/{name}/unload", "post"), ("/v2", "get") })
        {
            var security = paths[path]![method]!["security"]!.AsArray();
            Assert.Equal(["Bearer", "X-API-Key"], security.Select(s => s!.AsObject().Single().Key));
            Assert.NotNull(paths[path]![method]!["responses"]!["401"]);
            Assert.NotNull(paths[path]![method]!["responses"]!["403"]);
        }

        Assert.Equal("#/components/schemas/OipError", paths["/v2/models/{name}/infer"]!["post"]!["responses"]!["401"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(paths["/predict"]!["post"]!["responses"]!["403"]!["content"]!["application/problem+json"]);
        foreach (var path in new[] { "/health/live", "/v2/health/ready" })
        {
            Assert.Null(paths[path]!["get"]!["security"]);
        }
    }

    [Fact]
    public async Task Examples_NameTheLoadedModel_AndWorkAsShown()
    {
        await using var factory = new MlServingFactory(TestRepository.SamplesPath);
        var client = await factory.StartAsync();
        var document = await (await client.GetAsync("/swagger/v1/swagger.json")).ExpectAsync(200);

        var predictExample = document["paths"]!["/predict"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!;
        Assert.Equal("wine-classifier", predictExample["model"]!.GetValue<string>());
        var predicted = await (await client.PostJsonAsync("/predict", predictExample.ToJsonString())).ExpectAsync(200);
        Assert.Single(predicted["predictions"]!.AsArray());
        Assert.StartsWith("class_", predicted["predictions"]![0]!["label"]!.GetValue<string>(), StringComparison.Ordinal);

        var inferExample = document["paths"]!["/v2/models/{name}/infer"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!;
        var inferred = await (await client.PostJsonAsync("/v2/models/wine-classifier/infer", inferExample.ToJsonString())).ExpectAsync(200);
        Assert.Equal("example-1", inferred["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task SwaggerUi_IsServed()
    {
        await using var factory = new MlServingFactory(TestRepository.SamplesPath);
        var client = await factory.StartAsync();

        var page = await client.GetAsync("/swagger/index.html");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)page.StatusCode);
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
        var root = await client.GetAsync("/swagger");
        Assert.True((int)root.StatusCode is 200 or 301, $"/swagger answered {(int)root.StatusCode}");
    }
}
