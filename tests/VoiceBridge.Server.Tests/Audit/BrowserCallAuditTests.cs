using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Browser;

namespace VoiceBridge.Server.Tests.Audit;

/// <summary>A browser call through the host and the embedded simulator, its trail and recording read back through the admin API.</summary>
public sealed class BrowserCallAuditTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>, IDisposable
{
    private const string AdminKey = "browser-audit-admin-key-0123456789abcdef";
    private readonly string _directory = Directory.CreateTempSubdirectory("voicebridge-browser-audit-").FullName;

    [Fact]
    public async Task BrowserCall_EveryLegIsAudited_AndTheRecordingIs24kStereo()
    {
        using var app = BrowserApp.Create(factory, null, ("Audit:AdminKeys:0", AdminKey), ("Audit:Directory", _directory));
        using (var client = await app.StartAsync())
        {
            await client.SendAudioAsync(BrowserSignals.Utterance(24000, leadMs: 200, speechMs: 1000, trailMs: 800), 24000);
            await client.NextAsync("response.done");
            await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", TestContext.Current.CancellationToken);
        }

        await app.Factory.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        var id = Path.GetFileNameWithoutExtension(Directory.GetFiles(_directory, "browser_*.jsonl", SearchOption.AllDirectories).Single());
        using var admin = app.Factory.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);

        var trail = await admin.GetByteArrayAsync(new Uri($"/calls/{id}/audit", UriKind.Relative), TestContext.Current.CancellationToken);
        var wav = WavFile.Read(new MemoryStream(await admin.GetByteArrayAsync(new Uri($"/calls/{id}/recording", UriKind.Relative), TestContext.Current.CancellationToken)));

        Assert.Equal(AuditFileStatus.Complete, AuditVerifier.Verify(trail, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys).Status);
        var kinds = Encoding.UTF8.GetString(trail).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => JsonDocument.Parse(line).RootElement).Select(r => r.GetProperty("dir").GetString() + " " + r.GetProperty("type").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "bridge audit.session", "caller_in input_audio_buffer.append", "upstream_out session.update", "upstream_out input_audio_buffer.append",
            "upstream_in response.output_audio.delta", "caller_out session.created", "caller_out response.output_audio.delta", "caller_out response.done",
            "bridge bridge.end", "bridge audit.close",
        }, kinds);
        Assert.Contains("\"end_reason\":\"caller_closed\"", Encoding.UTF8.GetString(trail), StringComparison.Ordinal);
        Assert.Equal(new WavFormat(24000, 2, WavEncoding.Pcm16), wav.Format);
        var samples = wav.Samples.Span;
        double left = 0, right = 0;
        for (var i = 0; i + 1 < samples.Length; i += 2)
        {
            left = Math.Max(left, Math.Abs((int)samples[i]));
            right = Math.Max(right, Math.Abs((int)samples[i + 1]));
        }

        Assert.True(left > 1000 && right > 1000, $"peaks: caller {left}, assistant {right}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
