using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using MobZ.Rtc.Dtls;

namespace MobZ.Rtc.Tests.Dtls;

public class DtlsCertificateValidityTests
{
    [Fact]
    public void A_generated_certificate_is_valid_from_a_day_before_the_given_clock_for_its_validity()
    {
        var issued = new DateTimeOffset(2031, 3, 14, 9, 26, 53, TimeSpan.Zero);
        var time = new FakeTimeProvider(issued);

        var certificate = DtlsCertificate.Generate(TimeSpan.FromDays(7), time);

        using var parsed = X509CertificateLoader.LoadCertificate(certificate.Der);
        Assert.Equal(issued.AddDays(-1).UtcDateTime, parsed.NotBefore.ToUniversalTime());
        Assert.Equal(issued.AddDays(7).UtcDateTime, parsed.NotAfter.ToUniversalTime());
    }
}
