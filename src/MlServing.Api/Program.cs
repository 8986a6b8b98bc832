using MlServing.Api.Hosting;
using MlServing.Api.Observability;
using MlServing.Inference;

var builder = WebApplication.CreateBuilder(args);
builder.UseDefaultPort();
builder.AddMlServingLogging();
builder.Services.AddMlServingInference(builder.Configuration);
builder.Services.AddMlServingApi(builder.Configuration);

var app = builder.Build();
app.UseMlServing();
app.MapMlServing();
app.Run();

/// <summary>Entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
