using Microsoft.Extensions.Options;

namespace MlServing.Api.Security;

internal sealed class CorsOriginsOptionsValidator : IValidateOptions<CorsOriginsOptions>
{
    public ValidateOptionsResult Validate(string? name, CorsOriginsOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Origins.Count; i++)
        {
            var origin = options.Origins[i];
            if (origin == "*")
            {
                continue;
            }

            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.PathAndQuery != "/" || origin.EndsWith('/') || !string.IsNullOrEmpty(uri.Fragment))
            {
                errors.Add($"{CorsOriginsOptions.SectionName}:Origins:{i} must be an origin such as https://app.example.com (scheme, host and port only) or *");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
