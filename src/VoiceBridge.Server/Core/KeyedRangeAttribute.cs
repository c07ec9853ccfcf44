using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Core;

/// <summary>
/// <see cref="RangeAttribute"/> whose <see cref="ValidationAttribute.ErrorMessage"/> is honoured by the options
/// source generator. The generator (Microsoft.Extensions.Options 10.0) swaps a plain <c>[Range]</c> for its own
/// copy whose message ignores <c>ErrorMessage</c> and names the property ("UpstreamOptions.TurnDetection.Threshold")
/// instead of the configuration key; a subclass is used as written.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
internal sealed class KeyedRangeAttribute : RangeAttribute
{
    public KeyedRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum)
    {
    }

    public KeyedRangeAttribute(double minimum, double maximum)
        : base(minimum, maximum)
    {
    }

    public KeyedRangeAttribute(Type type, string minimum, string maximum)
        : base(type, minimum, maximum)
    {
    }
}
