using System.Text;
using VoiceBridge.Cli.Call;

namespace VoiceBridge.Cli.Tests.Call;

public sealed class PlayoutQueueTests
{
    [Fact]
    public void Mark_IsReturnedOnlyInThePeriodAfterItsAudioFinishedPlaying()
    {
        using var queue = new PlayoutQueue();
        queue.Append(Tone(400)); // 50 ms: plays over three 20 ms periods
        queue.AddMark("a"u8);
        var heard = new byte[160];
        var reachedAtPeriod = -1;

        for (var period = 0; period < 6 && reachedAtPeriod < 0; period++)
        {
            if (TryTake(queue, out var name))
            {
                Assert.Equal("a", name);
                reachedAtPeriod = period;
            }

            queue.Play(heard);
        }

        Assert.Equal(3, reachedAtPeriod);
    }

    [Fact]
    public void Play_IsContinuousAcrossMessages_AndSilentWhenEmpty()
    {
        using var queue = new PlayoutQueue(initialCapacity: 256);
        var first = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var second = Enumerable.Range(100, 300).Select(i => (byte)i).ToArray(); // grows the ring
        queue.Append(first);
        queue.Append(second);
        var heard = new byte[480];

        var played = queue.Play(heard.AsSpan(0, 160)) + queue.Play(heard.AsSpan(160, 160)) + queue.Play(heard.AsSpan(320, 160));

        Assert.Equal(400, played);
        Assert.Equal([.. first, .. second], heard[..400]);
        Assert.All(heard[400..], b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void Clear_DropsQueuedAudio_AndReturnsEveryPendingMarkAtOnce()
    {
        using var queue = new PlayoutQueue();
        queue.Append(Tone(1600));
        queue.AddMark("m1"u8);
        queue.Append(Tone(1600));
        queue.AddMark("m2"u8);
        var heard = new byte[160];
        queue.Play(heard);
        Assert.False(TryTake(queue, out _));

        var dropped = queue.Clear();

        Assert.Equal(3200 - 160, dropped);
        Assert.True(TryTake(queue, out var firstMark));
        Assert.True(TryTake(queue, out var secondMark));
        Assert.Equal(["m1", "m2"], [firstMark, secondMark]);
        Assert.Equal(0, queue.Play(heard));
        Assert.All(heard, b => Assert.Equal(0xFF, b));
    }

    private static bool TryTake(PlayoutQueue queue, out string name)
    {
        var buffer = new byte[64];
        var taken = queue.TryTakeReachedMark(buffer, out var length);
        name = Encoding.UTF8.GetString(buffer, 0, length);
        return taken;
    }

    private static byte[] Tone(int bytes) => Enumerable.Repeat((byte)0x10, bytes).ToArray();
}
