using VoiceBridge.Audio;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Audit;

public sealed class CallRecordingTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "voicebridge-recording-" + Guid.NewGuid().ToString("N") + ".wav");

    [Fact]
    public async Task PhoneCall_AssistantPlacedAtPlaybackTime_AndWhatTheClearDroppedIsNotInTheRecording()
    {
        var recording = new CallRecording(new FileStream(_path, FileMode.CreateNew), 8000, wallClock: false, TimeProvider.System);
        var caller = Enumerable.Repeat((short)1000, 160).ToArray();
        var offsets = new List<long> { recording.Caller(caller), recording.Caller(caller) };

        // 100 ms of reply arrives at once after 40 ms of call: it plays from 40 ms, back to back.
        var replyOffset = recording.Assistant(Enumerable.Repeat((short)2000, 800).ToArray());
        offsets.Add(recording.Caller(caller));
        offsets.Add(recording.Caller(caller));
        // Barge-in at 80 ms: the 60 ms not yet played are cleared.
        recording.Clear();
        for (var i = 0; i < 6; i++)
        {
            offsets.Add(recording.Caller(caller));
        }

        await recording.DisposeAsync();

        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 640L), offsets);
        Assert.Equal(320 * CallRecording.BytesPerFrame, replyOffset);
        var wav = WavFile.Read(_path);
        Assert.Equal(new WavFormat(8000, 2, WavEncoding.Pcm16), wav.Format);
        Assert.Equal(1600, wav.FrameCount);
        var samples = wav.Samples.Span;
        for (var frame = 0; frame < wav.FrameCount; frame++)
        {
            Assert.Equal(1000, samples[2 * frame]);
            Assert.Equal(frame is >= 320 and < 640 ? 2000 : 0, samples[(2 * frame) + 1]);
        }
    }

    [Fact]
    public async Task PhoneCall_AssistantAudioScheduledAfterTheHangUp_IsNotRecorded()
    {
        var recording = new CallRecording(new FileStream(_path, FileMode.CreateNew), 8000, wallClock: false, TimeProvider.System);
        recording.Caller(new short[8000]);
        recording.Assistant(Enumerable.Repeat((short)500, 16000).ToArray());

        await recording.DisposeAsync();

        var wav = WavFile.Read(_path);
        Assert.Equal(8000, wav.FrameCount);
    }

    public void Dispose() => File.Delete(_path);
}
