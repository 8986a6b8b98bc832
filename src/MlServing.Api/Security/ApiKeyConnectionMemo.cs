using Microsoft.AspNetCore.Connections.Features;

namespace MlServing.Api.Security;

/// <summary>
/// The last <c>Authorization</c> header an HTTP/1.x connection presented with an accepted key, and that key. Kestrel
/// hands a connection's next request the same string object when the header's bytes are the same (it reuses header
/// strings), so a request whose header is that very object, under the same key set, presents the same key: its
/// SHA-256 (about 1 µs, most of what a key costs per request) need not be computed again. Only the object identity is
/// compared, never the key's characters; the memo lives and dies with the connection, like Kestrel's own copy.
/// HTTP/2 connections carry concurrent requests and get no memo.
/// </summary>
internal sealed class ApiKeyConnectionMemo
{
    private static readonly object ItemKey = new();

    private string? _authorization;
    private ApiKeySet? _keys;
    private ApiKey? _key;

    /// <summary>The connection's memo, created on its first use; null for HTTP/2 and hosts without connection items.</summary>
    public static ApiKeyConnectionMemo? Of(HttpContext context)
    {
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) || context.Features.Get<IConnectionItemsFeature>()?.Items is not { } items)
        {
            return null;
        }

        if (items.TryGetValue(ItemKey, out var memo))
        {
            return (ApiKeyConnectionMemo)memo!;
        }

        var created = new ApiKeyConnectionMemo();
        items[ItemKey] = created;
        return created;
    }

    public ApiKey? Recall(string authorization, ApiKeySet keys) =>
        ReferenceEquals(authorization, _authorization) && ReferenceEquals(keys, _keys) ? _key : null;

    public void Remember(string authorization, ApiKeySet keys, ApiKey key)
    {
        _authorization = authorization;
        _keys = keys;
        _key = key;
    }
}
