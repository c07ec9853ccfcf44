using System.Text;

namespace VoiceBridge.Realtime.Upstream;

/// <summary>The WebSocket handshake to open: where, and which headers (one of them carries the key).</summary>
/// <param name="Uri">A <c>ws://</c> or <c>wss://</c> URL.</param>
/// <param name="Headers">Request headers; values may be secrets, so <see cref="ToString"/> prints names only.</param>
public sealed record UpstreamRequest(Uri Uri, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Uri = ").Append(Uri).Append(", Headers = [");
        for (var i = 0; i < Headers.Count; i++)
        {
            builder.Append(i == 0 ? string.Empty : ", ").Append(Headers[i].Key);
        }

        builder.Append(']');
        return true;
    }
}
