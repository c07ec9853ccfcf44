using System.Text;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Realtime.Tests.Protocol;

/// <summary>The repeated-key check: every repeat found at any depth, names compared unescaped, no false alarms.</summary>
public sealed class RealtimeJsonKeysTests
{
    [Theory]
    [InlineData("""{"type":"a","type":"b"}""", "type")]
    [InlineData("""{"type":"a","\u0074ype":"b"}""", "type")]
    [InlineData("""{"a":{"b":{"c":1,"c":2}}}""", "c")]
    [InlineData("""{"a":[{"x":1},{"y":1,"y":2}]}""", "y")]
    [InlineData("""{"a":{"k":1},"b":2,"a":3}""", "a")]
    [InlineData("""{"caf\u00e9":1,"café":2}""", "café")]
    public void Repeat_IsFound_WithItsName(string json, string name)
    {
        Assert.True(RealtimeJsonKeys.TryFindDuplicate(Encoding.UTF8.GetBytes(json), out var found));
        Assert.Equal(name, found);
    }

    [Theory]
    [InlineData("""{"type":"input_audio_buffer.append","event_id":"e","audio":"AAAA"}""")]
    [InlineData("""{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}""")]
    [InlineData("""{"a":{"b":1},"b":{"a":1}}""")]
    [InlineData("""{"type":"a","Type":"b"}""")]
    [InlineData("""{not json""")]
    [InlineData("""[1,2,3]""")]
    public void NoRepeat_OrNotJson_IsNotReported(string json)
    {
        Assert.False(RealtimeJsonKeys.TryFindDuplicate(Encoding.UTF8.GetBytes(json), out _));
    }

    [Theory]
    [InlineData(40, true)]
    [InlineData(40, false)]
    [InlineData(300, true)]
    public void ObjectsBeyondTheStackSizes_AreCheckedAllTheSame(int names, bool repeatLast)
    {
        // More names per object (and in all) than the allocation-free path holds: the fallback must agree.
        var json = new StringBuilder("{\"outer\":{");
        for (var i = 0; i < names; i++)
        {
            json.Append("\"name_").Append(i).Append("\":").Append(i).Append(',');
        }

        json.Append(repeatLast ? "\"name_0\":0}}" : "\"last\":0}}");
        Assert.Equal(repeatLast, RealtimeJsonKeys.TryFindDuplicate(Encoding.UTF8.GetBytes(json.ToString()), out var found));
        Assert.Equal(repeatLast ? "name_0" : null, found);
    }

    [Fact]
    public void LongNames_BeyondTheScratchBuffer_AreCheckedAllTheSame()
    {
        var longName = new string('n', 3000);
        var json = "{\"" + longName + "\":1,\"" + longName + "\":2}";
        Assert.True(RealtimeJsonKeys.TryFindDuplicate(Encoding.UTF8.GetBytes(json), out var found));
        Assert.Equal(longName, found);
    }
}
