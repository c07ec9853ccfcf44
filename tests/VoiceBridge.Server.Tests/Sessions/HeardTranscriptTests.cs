using System.Text;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Sessions;

public sealed class HeardTranscriptTests
{
    [Theory]
    [InlineData(0, "")]
    [InlineData(500, "Your order")]
    [InlineData(1000, "Your order shipped on")]
    [InlineData(2000, "Your order shipped on Monday and arrives Friday.")]
    public void Cut_KeepsTheWordsSpokenBeforeTheTruncationPoint(int heardMs, string expected) =>
        Assert.Equal(expected, HeardTranscript.Cut("Your order shipped on Monday and arrives Friday.", heardMs, 2000));

    [Fact]
    public void Turns_CallerWords_ThenTheAssistantAsHeard_CutAtTheBargeIn()
    {
        var transcript = new HeardTranscript(upstreamBytesPerMs: 48);
        Feed(transcript, AuditDirection.UpstreamIn, """{"type":"input_audio_buffer.committed","item_id":"item_u1","previous_item_id":null}""");
        Feed(transcript, AuditDirection.UpstreamIn, """{"type":"response.output_item.added","response_id":"r1","output_index":0,"item":{"id":"item_a1","type":"message","role":"assistant","content":[]}}""");
        // 2 s of assistant audio at 48 bytes/ms, as the audit stores it (payload replaced by its size).
        Feed(transcript, AuditDirection.UpstreamIn, """{"type":"response.output_audio.delta","response_id":"r1","item_id":"item_a1","output_index":0,"content_index":0,"delta":{"bytes":48000,"offset":0,"sha256":"00"}}""");
        Feed(transcript, AuditDirection.UpstreamIn, """{"type":"response.output_audio.delta","response_id":"r1","item_id":"item_a1","output_index":0,"content_index":0,"delta":{"bytes":48000,"offset":0,"sha256":"00"}}""");
        Feed(transcript, AuditDirection.UpstreamIn, """{"type":"response.output_audio_transcript.done","response_id":"r1","item_id":"item_a1","output_index":0,"content_index":0,"transcript":"Your order shipped on Monday and arrives Friday."}""");
        // The transcription of the caller's turn arrives late, as it may
        // (docs/protocols/openai-realtime.md#server-events).
        Feed(transcript, AuditDirection.UpstreamIn, """{"type":"conversation.item.input_audio_transcription.completed","item_id":"item_u1","content_index":0,"transcript":"Where is my order?"}""");
        Feed(transcript, AuditDirection.UpstreamOut, """{"type":"conversation.item.truncate","item_id":"item_a1","content_index":0,"audio_end_ms":1000}""");

        var turns = transcript.Turns();

        Assert.Equal(2, turns.Count);
        Assert.Equal(new HeardTurn("caller", "item_u1", "Where is my order?", null, null, null), turns[0]);
        Assert.Equal(new HeardTurn("assistant", "item_a1", "Your order shipped on", 2000, 1000, "Monday and arrives Friday."), turns[1]);
        Assert.True(turns[1].Truncated);
        Assert.Null(turns[1].AsHeard().NeverHeard);
    }

    [Fact]
    public void Turns_LiveBase64Audio_IsMeasuredLikeTheAuditedSize()
    {
        var transcript = new HeardTranscript(upstreamBytesPerMs: 8);
        var audio = Convert.ToBase64String(new byte[800]);
        Feed(transcript, AuditDirection.UpstreamIn, "{\"type\":\"response.output_audio.delta\",\"response_id\":\"r1\",\"item_id\":\"item_a1\",\"output_index\":0,\"content_index\":0,\"delta\":\"" + audio + "\"}");
        Feed(transcript, AuditDirection.UpstreamIn, """{"type":"response.output_audio_transcript.delta","response_id":"r1","item_id":"item_a1","output_index":0,"content_index":0,"delta":"Hello"}""");

        Assert.Equal(new HeardTurn("assistant", "item_a1", "Hello", 100, null, null), Assert.Single(transcript.Turns()));
    }

    private static void Feed(HeardTranscript transcript, AuditDirection direction, string json) => transcript.Observe(direction, Encoding.UTF8.GetBytes(json));
}
