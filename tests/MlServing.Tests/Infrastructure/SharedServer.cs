namespace MlServing.Tests.Infrastructure;

/// <summary>One server per test class (xunit class fixture) over a repository the subclass describes.</summary>
public abstract class SharedServer : IAsyncLifetime, IDisposable
{
    private readonly TestRepository _repository;
    private readonly IDictionary<string, string?>? _settings;
    private MlServingFactory? _factory;

    protected SharedServer(TestRepository repository, IDictionary<string, string?>? settings = null)
    {
        _repository = repository;
        _settings = settings;
    }

    public HttpClient Client { get; private set; } = null!;

    public MlServingFactory Factory => _factory!;

    public async Task InitializeAsync()
    {
        _factory = new MlServingFactory(_repository.Path, _settings);
        Client = await _factory.StartAsync();
    }

    public Task DisposeAsync() => _factory?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    public void Dispose()
    {
        _factory?.Dispose();
        _repository.Dispose();
        GC.SuppressFinalize(this);
    }
}
