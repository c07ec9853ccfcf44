using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Browser;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Cluster;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Direct;
using VoiceBridge.Server.Hosting;
using VoiceBridge.Server.Limits;
using VoiceBridge.Server.Ops;
using VoiceBridge.Server.Shutdown;
using VoiceBridge.Server.Telemetry;
using VoiceBridge.Server.Tools;
using VoiceBridge.Server.Twilio;
using VoiceBridge.Server.Upstream;

var builder = WebApplication.CreateBuilder(args);

builder.UseDefaultListenAddress();
builder.UseIoScheduling();
builder.AddTrustedProxies();
builder.AddHealth();
builder.AddTelemetry();
builder.AddUpstream();
builder.AddCallCore();
builder.AddAdmission();
builder.AddTwilio();
builder.AddBrowser();
builder.AddDirect();
builder.AddAudit();
builder.AddCalls();
builder.AddTools();
builder.AddLimits();
builder.AddShutdown();
builder.AddOps();
builder.AddCluster();

var app = builder.Build();
if (!app.PassesStartupChecks())
{
    return 1;
}

app.UseTrustedProxies();
app.UseCluster();
app.UseLimits();
app.UseCallCore();
app.UseOps();
app.MapHealth();
app.MapTwilio();
app.MapBrowser();
app.MapDirect();
app.MapCalls();
app.MapOps();

app.Run();
return 0;

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
