namespace VoiceBridge.Audio.Tests.G711;

/// <summary>
/// Signal-to-quantisation-noise of each law on a sine across speech levels. G.711's log companding keeps the SNR
/// roughly level (~35-40 dB) over a wide range instead of falling 6 dB per 6 dB of level like linear 8-bit PCM.
/// </summary>
public sealed class G711QualityTests
{
    [Theory]
    [InlineData(-3.0)]
    [InlineData(-10.0)]
    [InlineData(-20.0)]
    [InlineData(-30.0)]
    public void Sine_KeepsG711SnrAcrossSpeechLevels(double dbfs)
    {
        short[] tone = Sine(1013, dbfs); // not a divisor of 8 kHz, so every quantisation step gets exercised
        double muLaw = Snr(tone, s => MuLaw.Decode(MuLaw.Encode(s)));
        double aLaw = Snr(tone, s => ALaw.Decode(ALaw.Encode(s)));

        Figures.Report($"G.711 SNR, 1013 Hz sine at {dbfs,5:0.0} dBFS: μ-law {muLaw:0.00} dB, A-law {aLaw:0.00} dB");
        Assert.InRange(muLaw, 34, 45);
        Assert.InRange(aLaw, 34, 45);
    }

    private static short[] Sine(double hz, double dbfs)
    {
        double amplitude = 32767 * Math.Pow(10, dbfs / 20);
        var samples = new short[8000];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * hz * i / 8000));
        }

        return samples;
    }

    private static double Snr(short[] signal, Func<short, short> roundTrip)
    {
        double power = 0, noise = 0;
        foreach (short s in signal)
        {
            double error = roundTrip(s) - s;
            power += (double)s * s;
            noise += error * error;
        }

        return 10 * Math.Log10(power / noise);
    }
}
