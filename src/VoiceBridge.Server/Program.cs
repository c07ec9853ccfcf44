using VoiceBridge.Server.Sessions;
using VoiceBridge.Server.Telemetry;
using VoiceBridge.Server.Twilio;
using VoiceBridge.Server.Upstream;

var builder = WebApplication.CreateBuilder(args);

builder.UseDefaultListenAddress();
builder.AddHealth();
builder.AddUpstream();
builder.AddSessions();
builder.AddTwilio();

var app = builder.Build();

app.UseSessions();
app.MapHealth();
app.MapTwilio();

app.Run();

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
