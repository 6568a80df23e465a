#!/usr/bin/perl
# bench/dkim/maildkim_bench.pl - DKIM messages/s through Mail::DKIM, one
# thread.
#
#   maildkim_bench.pl verify DIR RECORDS.tsv [SECONDS]
#   maildkim_bench.pl sign DIR KEY SELECTOR ALG HEADERS [SECONDS]
#
# Keys come from memory: Mail::DKIM::DNS::query_async (what
# Mail::DKIM::PublicKey->fetch calls) is replaced by a stub answering with
# Net::DNS TXT records built once from RECORDS. sign: relaxed/relaxed, the
# fields of HEADERS oversigned ('+', Mail::DKIM's ExtendedHeaders), on top
# of Mail::DKIM's default list. Warm-up pass (tallies), then whole passes
# until SECONDS of CPU time (times(), as the C drivers). One line of JSON.
use strict;
use warnings;
use Mail::DKIM;
use Mail::DKIM::Verifier;
use Mail::DKIM::Signer;
use Mail::DKIM::PrivateKey;
use Mail::DKIM::DNS;
use Net::DNS;
sub cpu { my @t = times; return $t[0] + $t[1] }    # CPU time, as the C drivers

my ( $op, $dir ) = @ARGV;
opendir( my $dh, $dir ) or die "$dir: $!";
my @names = sort grep { /\.eml$/ } readdir $dh;
my @msgs;
for my $n (@names) {
    open( my $fh, '<:raw', "$dir/$n" ) or die "$dir/$n: $!";
    local $/;
    push @msgs, scalar <$fh>;
}

my ( $one, $seconds );
if ( $op eq 'verify' ) {
    my %rr;
    open( my $fh, '<', $ARGV[2] ) or die "$ARGV[2]: $!";
    while (<$fh>) {
        chomp;
        my ( $name, $val ) = split /\t/, $_, 2;
        my @chunks = unpack( '(A255)*', $val );
        $rr{ lc $name } = Net::DNS::RR->new(
            owner   => $name,
            type    => 'TXT',
            txtdata => [@chunks]
        );
    }
    no warnings 'redefine';
    *Mail::DKIM::DNS::query_async = sub {
        my ( $domain, $type, %args ) = @_;
        my $ok = ( $args{Callbacks} || {} )->{Success} || sub { $_[0] };
        my $r  = $rr{ lc $domain };
        return sub { $ok->( $r ? ($r) : () ) };
    };
    $seconds = $ARGV[3] // 3;
    $one     = sub {
        my $v = Mail::DKIM::Verifier->new();
        $v->PRINT( $_[0] );
        $v->CLOSE;
        return $v->result eq 'pass' ? 'pass' : $v->result_detail;
    };
}
else {
    my ( $keyfile, $sel, $alg, $hdrs ) = @ARGV[ 2 .. 5 ];
    $seconds = $ARGV[6] // 3;
    my $key = Mail::DKIM::PrivateKey->load( File => $keyfile );
    my %ext = map { $_ => '+' } split /:/, $hdrs;
    $one = sub {
        my $s = Mail::DKIM::Signer->new(
            Algorithm       => $alg,
            Method          => 'relaxed',
            Domain          => 'bench.example',
            Selector        => $sel,
            Key             => $key,
            ExtendedHeaders => {%ext},
        );
        $s->PRINT( $_[0] );
        $s->CLOSE;
        return $s->signature ? 'signed' : 'error';
    };
}

my ( %tally, $first_bad );
for my $i ( 0 .. $#msgs ) {
    my $r = eval { $one->( $msgs[$i] ) } // "error: $@";
    $r =~ s/\s+$//;
    $tally{$r}++;
    $first_bad //= "$names[$i]: $r" if $r ne 'pass' && $r ne 'signed';
}
my ( $done, $t0, $t ) = ( 0, cpu() );
while (1) {
    $one->($_) for @msgs;
    $done += @msgs;
    $t = cpu() - $t0;
    last if $t >= $seconds;
}
my $tl = join ', ', map { "\"$_\": $tally{$_}" } sort keys %tally;
$first_bad //= '';
$first_bad =~ s/["\\\n]/ /g;
printf "{\"impl\": \"Mail::DKIM\", \"op\": \"%s\", \"msgs_per_s\": %.1f, "
  . "\"messages\": %d, \"tally\": {%s}, \"first_bad\": \"%s\"}\n",
  $op, $done / $t, scalar @msgs, $tl, $first_bad;
