using VoiceBridge.Server.Telemetry;
using VoiceBridge.Server.Twilio;

var builder = WebApplication.CreateBuilder(args);

builder.UseDefaultListenAddress();
builder.AddHealth();
builder.AddTwilio();

var app = builder.Build();

app.MapHealth();
app.MapTwilio();

app.Run();

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
