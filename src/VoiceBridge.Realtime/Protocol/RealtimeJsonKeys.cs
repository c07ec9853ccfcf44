using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// Finds a property name repeated within one JSON object, at any depth. RFC 8259 §4 leaves the meaning of repeated
/// names to each parser (first wins, last wins, or an error), so a frame with one means different things to the bridge
/// and to the upstream: a policy check could read one <c>type</c> and the model another. Names are compared after
/// unescaping (<c>"type"</c> and <c>"\u0074ype"</c> are the same name to every parser).
/// </summary>
public static class RealtimeJsonKeys
{
    // Sized for real events: an audio append has three names, a session.update with tools a few dozen along one
    // path. Beyond these the check falls back to a path that allocates (rare, and still correct).
    private const int MaxNames = 128;
    private const int MaxNamesPerObject = 32;
    private const int ScratchBytes = 2048;
    private const int MaxObjectDepth = 64;

    /// <summary>
    /// True when some object in <paramref name="utf8Json"/> repeats a name; <paramref name="name"/> is that name.
    /// Malformed JSON returns false: the caller's own parse reports it. Allocates nothing for frames within the sizes
    /// above (the audio-append fast path), except the returned name.
    /// </summary>
    public static bool TryFindDuplicate(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out string? name)
    {
        name = null;
        Span<byte> scratch = stackalloc byte[ScratchBytes];
        Span<int> starts = stackalloc int[MaxNames];
        Span<int> lengths = stackalloc int[MaxNames];
        Span<int> objectFirst = stackalloc int[MaxObjectDepth + 1];
        var depth = -1;
        var count = 0;
        var used = 0;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, isFinalBlock: true, state: default);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        if (depth + 1 > MaxObjectDepth)
                        {
                            return false;
                        }

                        objectFirst[++depth] = count;
                        break;

                    case JsonTokenType.EndObject:
                        count = objectFirst[depth--];
                        used = count == 0 ? 0 : starts[count - 1] + lengths[count - 1];
                        break;

                    case JsonTokenType.PropertyName:
                        // The unescaped name is never longer than its escaped form (ValueSpan).
                        if (count == MaxNames || used + reader.ValueSpan.Length > ScratchBytes || count - objectFirst[depth] == MaxNamesPerObject)
                        {
                            return TryFindDuplicateSlow(utf8Json, out name);
                        }

                        var written = reader.CopyString(scratch[used..]);
                        var current = scratch.Slice(used, written);
                        for (var i = objectFirst[depth]; i < count; i++)
                        {
                            if (current.SequenceEqual(scratch.Slice(starts[i], lengths[i])))
                            {
                                name = reader.GetString()!;
                                return true;
                            }
                        }

                        starts[count] = used;
                        lengths[count] = written;
                        count++;
                        used += written;
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Malformed JSON, or an escape that does not unescape to valid UTF-8 (a lone surrogate).
            return false;
        }

        return false;
    }

    private static bool TryFindDuplicateSlow(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out string? name)
    {
        name = null;
        var open = new Stack<HashSet<string>>();
        try
        {
            var reader = new Utf8JsonReader(utf8Json, isFinalBlock: true, state: default);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        open.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        open.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var current = reader.GetString()!;
                        if (!open.Peek().Add(current))
                        {
                            name = current;
                            return true;
                        }

                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }

        return false;
    }
}
