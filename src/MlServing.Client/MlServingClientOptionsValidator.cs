using Microsoft.Extensions.Options;

namespace MlServing.Client;

internal sealed class MlServingClientOptionsValidator : IValidateOptions<MlServingClientOptions>
{
    public ValidateOptionsResult Validate(string? name, MlServingClientOptions options)
    {
        var errors = new List<string>();
        if (options.BaseAddress is not { } address || !IsHttp(address))
        {
            errors.Add($"{MlServingClientOptions.SectionName}:BaseAddress must be an absolute http:// or https:// address.");
        }

        if (options.GrpcAddress is { } grpc && !IsHttp(grpc))
        {
            errors.Add($"{MlServingClientOptions.SectionName}:GrpcAddress must be an absolute http:// or https:// address.");
        }

        if (!Enum.IsDefined(options.Transport))
        {
            errors.Add($"{MlServingClientOptions.SectionName}:Transport must be Json, Binary or Grpc.");
        }

        if (options.MaxRetries is < 0 or > 100)
        {
            errors.Add($"{MlServingClientOptions.SectionName}:MaxRetries must be between 0 and 100.");
        }

        if (options.RetryDelay <= TimeSpan.Zero)
        {
            errors.Add($"{MlServingClientOptions.SectionName}:RetryDelay must be positive.");
        }

        if (options.RequestTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add($"{MlServingClientOptions.SectionName}:RequestTimeout must be positive.");
        }

        if (options.HttpTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{MlServingClientOptions.SectionName}:HttpTimeout must be positive.");
        }

        if (options.ApiKey is { } key && (key.Length == 0 || key.AsSpan().ContainsAny('\r', '\n')))
        {
            errors.Add($"{MlServingClientOptions.SectionName}:ApiKey must be a non-empty single line.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttp(Uri address) =>
        address.IsAbsoluteUri && (address.Scheme == Uri.UriSchemeHttp || address.Scheme == Uri.UriSchemeHttps);
}
