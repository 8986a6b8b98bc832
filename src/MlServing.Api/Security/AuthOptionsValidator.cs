using Microsoft.Extensions.Options;

namespace MlServing.Api.Security;

/// <summary>Checks <c>MlServing:Auth</c> at start, the keys file included: a bad key stops the process rather than serving without it.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        if (!(options.DefaultRequestsPerSecond >= 0 && double.IsFinite(options.DefaultRequestsPerSecond)))
        {
            errors.Add($"{AuthOptions.SectionName}:DefaultRequestsPerSecond must be 0 (unlimited) or more");
        }

        if (options.DefaultBurst < 0)
        {
            errors.Add($"{AuthOptions.SectionName}:DefaultBurst must be 0 (one second's worth of the rate) or more");
        }

        IList<ApiKeyConfig>? fileKeys = null;
        string? file = null;
        if (!string.IsNullOrWhiteSpace(options.KeysFile))
        {
            file = Path.GetFullPath(options.KeysFile);
            if (ApiKeysFile.Read(file, out fileKeys) is { } error)
            {
                errors.Add($"{AuthOptions.SectionName}:KeysFile: {error}");
            }
        }

        if (errors.Count == 0)
        {
            ApiKeySetBuilder.Build(options, fileKeys, file, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
