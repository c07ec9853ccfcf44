using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnitV3;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace VoiceBridge.Server.Tests.Repository;

/// <summary>
/// The host's folders depend on each other one way: every transport and feature on the call core (<c>Core</c>), the core
/// on none of them, and no two folders on each other (no cycles). Stated here so the shape cannot rot.
/// </summary>
public sealed class ArchitectureTests
{
    private const string Server = "VoiceBridge.Server";
    private const string Core = Server + ".Core";

    private static readonly Architecture s_server = new ArchLoader().LoadAssemblies(typeof(Program).Assembly).Build();

    [Fact]
    public void TheCallCore_DependsOnNoTransportAndNoFeature()
    {
        IArchRule rule = Types().That().ResideInNamespace(Core)
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^VoiceBridge\.Server\.(?!Core$)[A-Za-z]+$"))
            .Because("legs (Twilio, Browser, …) and features (Audit, Telemetry, Calls, …) plug into the core, never the other way");
        rule.Check(s_server);
    }

    [Fact]
    public void TheHostsFolders_DependOnEachOtherWithoutCycles()
    {
        IArchRule rule = SliceRuleDefinition.Slices().Matching(Server + ".(*)").Should().BeFreeOfCycles();
        rule.Check(s_server);
    }

    [Fact]
    public void TheLegs_DoNotKnowEachOther()
    {
        string[] legs = [Server + ".Twilio", Server + ".Browser", Server + ".Direct"];
        foreach (var leg in legs)
        {
            var others = string.Join('|', legs.Where(other => other != leg).Select(other => other.Replace(".", @"\.", StringComparison.Ordinal)));
            IArchRule rule = Types().That().ResideInNamespace(leg).Should().NotDependOnAny(Types().That().ResideInNamespaceMatching("^(" + others + ")$"));
            rule.Check(s_server);
        }
    }

    [Fact]
    public void TheRule_CatchesACycle()
    {
        // The rule must be able to fail: a slice of this test assembly that depends on itself through two folders.
        var architecture = new ArchLoader().LoadAssemblies(typeof(ArchitectureTests).Assembly).Build();
        IArchRule rule = SliceRuleDefinition.Slices().Matching("VoiceBridge.Server.Tests.Repository.CycleSample.(*)").Should().BeFreeOfCycles();
        Assert.False(rule.HasNoViolations(architecture));
    }
}
