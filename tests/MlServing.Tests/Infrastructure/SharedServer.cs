namespace MlServing.Tests.Infrastructure;

/// <summary>One server per test class (xunit class fixture) over a repository the subclass describes.</summary>
public abstract class SharedServer : IAsyncLifetime, IDisposable
{
    private readonly TestRepository _repository;
    private MlServingFactory? _factory;

    protected SharedServer(TestRepository repository) => _repository = repository;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _factory = new MlServingFactory(_repository.Path);
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
