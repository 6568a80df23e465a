#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# Mail::DKIM (libmail-dkim-perl) as a DKIM interop peer of vouch.
#
# Reads one JSON request on stdin:
#   {"dns_port": N, "jobs": [JOB, ...]}
#   sign:   {"op": "sign", "in": FILE, "alg": "rsa-sha256", "canon": "relaxed/relaxed",
#            "domain": D, "selector": S, "key_pkcs1": PEM}
#   verify: {"op": "verify", "in": FILE}
# and prints one JSON array, one object per job:
#   sign:   {"ok": true, "header": "DKIM-Signature: ...\r\n"} or {"ok": false, "error": TEXT}
#   verify: {"result": "pass"|"fail"|..., "detail": TEXT}
# Mail::DKIM wants SMTP line ends (CRLF) fed to it: the caller gives it
# CRLF input. Keys are looked up with Net::DNS at 127.0.0.1:dns_port only.
use strict;
use warnings;
use JSON::PP;
use Net::DNS;
use Mail::DKIM::Signer;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Mail::DKIM::TextWrap;

my $json = JSON::PP->new->utf8->canonical;
my $req = $json->decode(do { local $/; <STDIN> });

my $res = Net::DNS::Resolver->new(
    nameservers => ['127.0.0.1'],
    port        => $req->{dns_port},
    recurse     => 1,
    searchlist  => [],
    domain      => '',
    udp_timeout => 5,
    tcp_timeout => 5,
    retry       => 2,
);
Mail::DKIM::DNS::resolver($res);

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "cannot read $path: $!\n";
    local $/;
    my $data = <$fh>;
    close $fh;
    return $data;
}

sub sign_job {
    my ($j) = @_;
    my $dkim = Mail::DKIM::Signer->new(
        Algorithm => $j->{alg},
        Method    => $j->{canon},
        Domain    => $j->{domain},
        Selector  => $j->{selector},
        KeyFile   => $j->{key_pkcs1},
    );
    $dkim->PRINT(slurp($j->{in}));
    $dkim->CLOSE;
    my $sig = $dkim->signature or return { ok => JSON::PP::false, error => 'no signature' };
    return { ok => JSON::PP::true, header => $sig->as_string . "\015\012" };
}

sub verify_job {
    my ($j) = @_;
    my $dkim = Mail::DKIM::Verifier->new();
    $dkim->PRINT(slurp($j->{in}));
    $dkim->CLOSE;
    my @sigs = $dkim->signatures;
    return { result => $dkim->result, detail => ($dkim->result_detail // '') }
        unless @sigs;
    my $s = $sigs[0];
    return { result => $s->result, detail => ($s->result_detail // '') };
}

my @out;
for my $j (@{ $req->{jobs} }) {
    my $r = eval { $j->{op} eq 'sign' ? sign_job($j) : verify_job($j) };
    if (!$r) {
        my $e = $@ || 'unknown error';
        chomp $e;
        $r = $j->{op} eq 'sign'
            ? { ok => JSON::PP::false, error => $e }
            : { result => 'error', detail => $e };
    }
    push @out, $r;
}
print $json->encode(\@out), "\n";
