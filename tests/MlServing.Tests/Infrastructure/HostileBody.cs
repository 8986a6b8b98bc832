using System.Text;

namespace MlServing.Tests.Infrastructure;

/// <summary>
/// A generated request body. <see cref="Elements"/> holds the JSON text of each tensor element in order when the body is
/// tensor-shaped (a 200 must echo exactly those values through the identity model); <see cref="MustFail"/> when the
/// body is certainly not a valid request (malformed, duplicated or unknown members, wrong shape or datatype);
/// <see cref="MustSucceed"/> when it certainly is one.
/// </summary>
public sealed record HostileBody(string Kind, byte[] Body, string[]? Elements, bool MustFail)
{
    public bool MustSucceed { get; init; }

    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>What FsCheck prints for a counterexample: the kind and the start of the body.</summary>
    public override string ToString() => $"{Kind} ({Body.Length} bytes): {(Text.Length > 600 ? Text[..600] + "..." : Text)}";
}
