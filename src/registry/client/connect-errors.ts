import path from 'node:path';
import { EngineError } from '../../errdefs/index.js';

/**
 * What a request to a registry that got no answer means, in Go's words (docker users match on them) and,
 * where berthd can tell, with what to do about it: trust a CA, present a client certificate.
 *
 * A failure also says whether the far end speaks TLS (it sent a TLS alert, or our handshake with it
 * completed): the scheme probe must then stay with HTTPS, as plain HTTP would only meet a TLS port's
 * "Client sent an HTTP request to an HTTPS server."
 */
export class ConnectError extends EngineError {
  constructor(
    message: string,
    cause: Error,
    /** the registry answered with TLS, so it is HTTPS that failed, not the choice of HTTPS */
    readonly speaksTls: boolean,
  ) {
    super('Unavailable', message, { cause });
  }
}

/** How far TLS got on the connection that failed. */
export interface TlsAttempt {
  /** the handshake completed before the connection failed */
  handshakeDone: boolean;
  /** the client certificate presented (a file in the certs dir) */
  clientCert?: string;
  /** berthd's --registry-certs-dir, to say where files go ('' when not known) */
  certsDir: string;
}

/** Go's names for the TLS alerts a registry sends about certificates and handshakes (crypto/tls alert.go). */
const ALERT_TEXT: Record<number, string> = {
  40: 'handshake failure',
  42: 'bad certificate',
  43: 'unsupported certificate',
  44: 'revoked certificate',
  45: 'expired certificate',
  46: 'unknown certificate',
  48: 'unknown certificate authority',
  49: 'access denied',
  70: 'protocol version not supported',
  80: 'internal error',
  116: 'certificate required',
};
/** alerts by which a server refuses the client certificate it got (or did not get) */
const CLIENT_CERT_ALERTS = new Set([42, 43, 44, 45, 46, 48, 49, 116]);

const UNKNOWN_CA = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);

/** The verb as Go's net/http names it in an error ("Get", "Head", …; others as they are). */
export function goVerb(method: string): string {
  return method === 'GET' ? 'Get' : method === 'HEAD' ? 'Head' : method === 'PUT' ? 'Put' : method === 'POST' ? 'Post' : method;
}

export function connectError(err: NodeJS.ErrnoException, url: string, method: string, tls?: TlsAttempt): ConnectError {
  const verb = goVerb(method);
  const { host, hostname } = new URL(url);
  const hostDir = tls?.certsDir ? path.join(tls.certsDir, host) : `<registry-certs-dir>/${host}`;
  const alert = tlsAlert(err);
  let why = err.message;
  if (err.code === 'ECONNREFUSED') why = `dial tcp ${host}: connect: connection refused`;
  else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') why = `dial tcp: lookup ${hostname}: no such host`;
  else if (alert !== undefined) why = `remote error: tls: ${ALERT_TEXT[alert] ?? `alert(${alert})`}${clientCertHint(alert, tls, hostDir)}`;
  else if (err.code === 'ECONNRESET' && tls?.handshakeDone && tls.clientCert) {
    // Node's TLS server checks a client certificate after the handshake and just closes the connection
    why = `connection reset by peer right after the TLS handshake (the registry most likely did not accept the client certificate ${tls.clientCert})`;
  } else if (err.code === 'ECONNRESET') why = 'connection reset by peer';
  else if (UNKNOWN_CA.has(err.code ?? '')) why = `tls: failed to verify certificate: x509: certificate signed by unknown authority (trust the registry's CA by putting it in ${hostDir}/ca.crt${tls?.certsDir ? '' : ', /etc/docker/certs.d by default'}, or list ${host} with --insecure-registry)`;
  else if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') why = `tls: failed to verify certificate: x509: certificate is not valid for ${hostname}`;
  const speaksTls = alert !== undefined || UNKNOWN_CA.has(err.code ?? '') || err.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || !!tls?.handshakeDone;
  return new ConnectError(`${verb} "${url}": ${why}`, err, speaksTls);
}

function clientCertHint(alert: number, tls: TlsAttempt | undefined, hostDir: string): string {
  if (!tls) return '';
  if (tls.clientCert && CLIENT_CERT_ALERTS.has(alert)) return ` (the registry did not accept the client certificate ${tls.clientCert})`;
  if (tls.clientCert) return '';
  const where = `put it in ${hostDir}/client.cert and its key in ${hostDir}/client.key`;
  // a handshake failure is what a TLS 1.2 server says to a client without a certificate, among other things
  if (alert === 40) return ` (if the registry requires a client certificate, ${where})`;
  if (CLIENT_CERT_ALERTS.has(alert)) return ` (the registry requires a client certificate: ${where})`;
  return '';
}

/** The number of the TLS alert the peer sent, from OpenSSL's error (code or "SSL alert number N"). */
function tlsAlert(err: NodeJS.ErrnoException): number | undefined {
  const n = /SSL alert number (\d+)/.exec(err.message)?.[1];
  if (n) return Number(n);
  if (err.code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') return 116;
  return undefined;
}

/** No connection at all (refused, no route, no such host, timed out), as opposed to one that spoke the wrong protocol. */
export function unreachable(err: unknown): boolean {
  if (!(err instanceof EngineError) || err.kind !== 'Unavailable') return false;
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return /timed out/.test(err.message);
  return ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT'].includes(code);
}
