using System.Buffers.Binary;
using System.Text;

namespace VoiceBridge.EndToEnd.Tests.Telemetry;

/// <summary>
/// Just enough protobuf to read an ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1): resource_spans(1)
/// → scope_spans(2) → spans(2) → trace_id(1), span_id(2), parent_span_id(4), name(5), attributes(9: key 1, value 2 →
/// string 1, bool 2, int 3, double 4). Unknown fields are skipped by wire type, so new fields do not break it.
/// </summary>
internal static class OtlpTraceDecoder
{
    public static List<OtlpSpan> Decode(byte[] request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(request, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    spans.Add(ReadSpan(span));
                }
            }
        }

        return spans;
    }

    private static OtlpSpan ReadSpan(ReadOnlyMemory<byte> span)
    {
        var attributes = new Dictionary<string, object>();
        foreach (var pair in Fields(span, 9))
        {
            var key = Encoding.UTF8.GetString(Fields(pair, 1).Single().Span);
            var value = Fields(pair, 2).SingleOrDefault();
            attributes[key] = ReadAnyValue(value);
        }

        return new OtlpSpan(
            Hex(Fields(span, 1).FirstOrDefault()),
            Hex(Fields(span, 2).FirstOrDefault()),
            Hex(Fields(span, 4).FirstOrDefault()),
            Encoding.UTF8.GetString(Fields(span, 5).FirstOrDefault().Span),
            attributes);
    }

    private static object ReadAnyValue(ReadOnlyMemory<byte> value)
    {
        var reader = new Reader(value);
        while (reader.Next(out var field, out var wire, out var bytes, out var number))
        {
            switch (field)
            {
                case 1 when wire == 2: return Encoding.UTF8.GetString(bytes.Span);
                case 2 when wire == 0: return number != 0;
                case 3 when wire == 0: return (long)number;
                case 4 when wire == 1: return BitConverter.Int64BitsToDouble((long)number);
            }
        }

        return string.Empty;
    }

    private static List<ReadOnlyMemory<byte>> Fields(ReadOnlyMemory<byte> message, int wanted)
    {
        var found = new List<ReadOnlyMemory<byte>>();
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wire, out var bytes, out _))
        {
            if (field == wanted && wire == 2)
            {
                found.Add(bytes);
            }
        }

        return found;
    }

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);

    private struct Reader(ReadOnlyMemory<byte> data)
    {
        private int _position;

        public bool Next(out int field, out int wire, out ReadOnlyMemory<byte> bytes, out ulong number)
        {
            bytes = default;
            number = 0;
            field = 0;
            wire = 0;
            if (_position >= data.Length)
            {
                return false;
            }

            var tag = Varint();
            field = (int)(tag >> 3);
            wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    number = Varint();
                    break;
                case 1:
                    number = BinaryPrimitives.ReadUInt64LittleEndian(data.Span.Slice(_position, 8));
                    _position += 8;
                    break;
                case 2:
                    var length = (int)Varint();
                    bytes = data.Slice(_position, length);
                    _position += length;
                    break;
                case 5:
                    number = BinaryPrimitives.ReadUInt32LittleEndian(data.Span.Slice(_position, 4));
                    _position += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wire} at byte {_position}");
            }

            return true;
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data.Span[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }
        }
    }
}
