using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace MlServing.Inference.Repository;

internal sealed class ModelRepositoryOptionsValidator : IValidateOptions<ModelRepositoryOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelRepositoryOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add($"{ModelRepositoryOptions.SectionName}:Path must name a folder.");
        }

        if (options.PollSeconds is < 0 or > 86_400)
        {
            errors.Add($"{ModelRepositoryOptions.SectionName}:PollSeconds must be between 0 (off) and 86400.");
        }

        if (!string.IsNullOrWhiteSpace(options.SigningPublicKey))
        {
            try
            {
                ModelIntegrity.LoadPublicKey(options.SigningPublicKey).Dispose();
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                errors.Add($"{ModelRepositoryOptions.SectionName}:SigningPublicKey must be a PEM public key (ECDSA P-256 or RSA) or the path of one: {ex.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
